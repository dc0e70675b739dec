// output_padding must be smaller than the stride or the dilation (PyTorch's rule).
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Conv = ctnn::ConvTranspose1d<2, 2, 3, ctnn::ConvTransposeOptions{.stride = 2, .output_padding = 2}>;
#else
using Conv = ctnn::ConvTranspose1d<2, 2, 3, ctnn::ConvTransposeOptions{.stride = 2, .output_padding = 1}>;
#endif

int main() { return Conv::accepts(ctnn::shape_of<2, 10>) ? 0 : 1; }
