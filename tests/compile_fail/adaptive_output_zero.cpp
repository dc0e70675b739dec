// An adaptive pooling to 0 elements: an output of length 0.
#include <ctnn/layers/pooling.hpp>

#ifdef CTNN_SHOULD_FAIL
using Pool = ctnn::AdaptiveAvgPool2d<ctnn::size2{0, 3}>;
#else
using Pool = ctnn::AdaptiveAvgPool2d<ctnn::size2{1, 3}>;
#endif

int main() { return Pool::output_shape(ctnn::shape_of<2, 4, 4>) == ctnn::shape_of<2, 1, 3> ? 0 : 1; }
