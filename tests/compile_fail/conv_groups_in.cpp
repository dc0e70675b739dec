// groups must divide the in channels (PyTorch: "in_channels must be divisible by groups").
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Conv = ctnn::Conv1d<3, 4, 3, ctnn::ConvOptions{.groups = 2}>;
#else
using Conv = ctnn::Conv1d<4, 4, 3, ctnn::ConvOptions{.groups = 2}>;
#endif

int main() { return Conv::accepts(ctnn::shape_of<4, 10>) ? 0 : 1; }
