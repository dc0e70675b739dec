// GroupNorm's num_groups must divide num_channels (PyTorch's ValueError, at compile time).
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/groupnorm.hpp>

#ifdef CTNN_SHOULD_FAIL
using Norm = ctnn::GroupNorm<3, 8>;
#else
using Norm = ctnn::GroupNorm<4, 8>;
#endif

int main() {
  Norm norm;
  return norm.forward(ctnn::Sample<float, 8>::Ones()).size() == 8 ? 0 : 1;
}
