// PReLU(4) used alone: 10 rows are not 4 channels of equal size.
#include <ctnn/layers/prelu.hpp>

#ifdef CTNN_SHOULD_FAIL
using X = ctnn::Sample<float, 10>;
#else
using X = ctnn::Sample<float, 12>;
#endif

int main() {
  ctnn::PReLU<4> prelu;
  return prelu.forward(X::Zero()).size() == X::RowsAtCompileTime ? 0 : 1;
}
