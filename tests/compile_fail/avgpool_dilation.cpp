// torch.nn.AvgPool2d has no dilation.
#include <ctnn/layers/pooling.hpp>

#ifdef CTNN_SHOULD_FAIL
using Pool = ctnn::AvgPool2d<2, ctnn::PoolOptions{.dilation = 2}>;
#else
using Pool = ctnn::MaxPool2d<2, ctnn::PoolOptions{.dilation = 2}>;
#endif

int main() { return Pool::output_shape(ctnn::shape_of<1, 5, 5>) == ctnn::shape_of<1, 2, 2> ? 0 : 1; }
