// A pooling layer used alone must be told its sample shape.
#include <ctnn/layers/pooling.hpp>

#ifdef CTNN_SHOULD_FAIL
using Pool = ctnn::MaxPool1d<2>;
#else
using Pool = ctnn::MaxPool1d<2, ctnn::PoolOptions{}, ctnn::shape_of<2, 4>>;
#endif

int main() {
  Pool pool;
  return pool.forward(ctnn::Sample<float, 8>::Zero()).size() == 4 ? 0 : 1;
}
