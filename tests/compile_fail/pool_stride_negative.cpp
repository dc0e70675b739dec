// A pooling stride must be positive (0 is PyTorch's None: the kernel size).
#include <ctnn/layers/pooling.hpp>

#ifdef CTNN_SHOULD_FAIL
using Pool = ctnn::AvgPool2d<2, ctnn::PoolOptions{.stride = {1, -1}}>;
#else
using Pool = ctnn::AvgPool2d<2, ctnn::PoolOptions{.stride = {1, 1}}>;
#endif

int main() { return Pool::output_shape(ctnn::shape_of<1, 4, 4>) == ctnn::shape_of<1, 3, 3> ? 0 : 1; }
