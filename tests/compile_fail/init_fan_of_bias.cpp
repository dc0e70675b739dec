// xavier_uniform_ on a 1-D tensor (a bias): PyTorch's "Fan in and fan out can not be
// computed for tensor with fewer than 2 dimensions", at compile time.
#include <ctnn/ctnn.hpp>

int main() {
  ctnn::Linear<4, 3> linear;
#ifdef CTNN_SHOULD_FAIL
  ctnn::init::xavier_uniform_(linear.bias);
#else
  ctnn::init::xavier_uniform_(linear.weight);
  ctnn::init::zeros_(linear.bias);
#endif
}
