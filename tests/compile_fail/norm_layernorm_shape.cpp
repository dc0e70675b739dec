// LayerNorm's normalized_shape has a dimension of 0.
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/layernorm.hpp>

#ifdef CTNN_SHOULD_FAIL
using Norm = ctnn::LayerNorm<ctnn::shape_of<4, 0>>;
#else
using Norm = ctnn::LayerNorm<ctnn::shape_of<4, 2>>;
#endif

int main() {
  Norm norm;
  return norm.forward(ctnn::Sample<float, 8>::Ones()).size() == 8 ? 0 : 1;
}
