// Reflect padding must be smaller than the input length (PyTorch's reflection_pad rule).
#include <ctnn/ctnn.hpp>

using Conv = ctnn::Conv1d<1, 2, 3, ctnn::ConvOptions{.padding = 3, .padding_mode = ctnn::PaddingMode::reflect}>;
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<Conv>, 1, 3>;
#else
using Net = ctnn::with_input<ctnn::Sequential<Conv>, 1, 4>;
#endif

int main() {
  Net net;
  return net.out_features > 0 ? 0 : 1;
}
