// A stride of 0 (PyTorch: "non-positive stride is not supported").
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Conv = ctnn::Conv1d<1, 4, 3, ctnn::ConvOptions{.stride = 0}>;
#else
using Conv = ctnn::Conv1d<1, 4, 3, ctnn::ConvOptions{.stride = 1}>;
#endif

int main() { return Conv::accepts(ctnn::shape_of<1, 10>) ? 0 : 1; }
