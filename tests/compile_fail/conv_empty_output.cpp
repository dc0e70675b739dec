// A transposed convolution whose output would have no element: (L - 1) stride - 2 padding +
// dilation (K - 1) + output_padding + 1 = 1 - 6 + 2 + 1 < 1.
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<ctnn::ConvTranspose1d<2, 2, 3, ctnn::ConvTransposeOptions{.padding = 3}>>, 2, 2>;
#else
using Net = ctnn::with_input<ctnn::Sequential<ctnn::ConvTranspose1d<2, 2, 3, ctnn::ConvTransposeOptions{.padding = 1}>>, 2, 2>;
#endif

int main() {
  Net net;
  return net.out_features > 0 ? 0 : 1;
}
