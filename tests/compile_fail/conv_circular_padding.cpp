// Circular padding must be at most the input length (PyTorch's rule).
#include <ctnn/ctnn.hpp>

using Conv = ctnn::Conv1d<1, 2, 3, ctnn::ConvOptions{.padding = 4, .padding_mode = ctnn::PaddingMode::circular}>;
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<Conv>, 1, 3>;
#else
using Net = ctnn::with_input<ctnn::Sequential<Conv>, 1, 4>;
#endif

int main() {
  Net net;
  return net.out_features > 0 ? 0 : 1;
}
