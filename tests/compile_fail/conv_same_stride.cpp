// padding 'same' with a stride above 1 (PyTorch: "padding='same' is not supported for strided
// convolutions").
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Conv = ctnn::Conv1d<1, 4, 3, ctnn::ConvOptions{.stride = 2, .padding = ctnn::same}>;
#else
using Conv = ctnn::Conv1d<1, 4, 3, ctnn::ConvOptions{.stride = 1, .padding = ctnn::same}>;
#endif

int main() { return Conv::accepts(ctnn::shape_of<1, 10>) ? 0 : 1; }
