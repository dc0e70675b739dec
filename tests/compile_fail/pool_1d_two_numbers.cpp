// A 1-D pooling layer takes one number per option.
#include <ctnn/layers/pooling.hpp>

#ifdef CTNN_SHOULD_FAIL
using Pool = ctnn::MaxPool1d<2, ctnn::PoolOptions{.stride = {1, 2}}>;
#else
using Pool = ctnn::MaxPool1d<2, ctnn::PoolOptions{.stride = 2}>;
#endif

int main() { return Pool::output_shape(ctnn::shape_of<1, 4>) == ctnn::shape_of<1, 2> ? 0 : 1; }
