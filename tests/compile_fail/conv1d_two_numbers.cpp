// A 1-D layer given a size2 with two different numbers.
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Conv = ctnn::Conv1d<1, 4, 3, ctnn::ConvOptions{.stride = ctnn::size2{1, 2}}>;
#else
using Conv = ctnn::Conv1d<1, 4, 3, ctnn::ConvOptions{.stride = ctnn::size2{2, 2}}>;
#endif

int main() { return Conv::accepts(ctnn::shape_of<1, 10>) ? 0 : 1; }
