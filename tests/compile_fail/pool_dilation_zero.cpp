// A pooling dilation must be positive.
#include <ctnn/layers/pooling.hpp>

#ifdef CTNN_SHOULD_FAIL
using Pool = ctnn::MaxPool2d<2, ctnn::PoolOptions{.dilation = {0, 1}}>;
#else
using Pool = ctnn::MaxPool2d<2, ctnn::PoolOptions{.dilation = {1, 1}}>;
#endif

int main() { return Pool::output_shape(ctnn::shape_of<1, 4, 4>) == ctnn::shape_of<1, 2, 2> ? 0 : 1; }
