// groups must divide the out channels (PyTorch: "out_channels must be divisible by groups").
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Conv = ctnn::Conv2d<4, 3, 3, ctnn::ConvOptions{.groups = 2}>;
#else
using Conv = ctnn::Conv2d<4, 6, 3, ctnn::ConvOptions{.groups = 2}>;
#endif

int main() { return Conv::accepts(ctnn::shape_of<4, 8, 8>) ? 0 : 1; }
