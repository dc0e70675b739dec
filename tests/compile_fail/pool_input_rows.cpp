// A pooling layer bound to (2, 4) samples takes 8 rows.
#include <ctnn/layers/pooling.hpp>

using Pool = ctnn::MaxPool1d<2, ctnn::PoolOptions{}, ctnn::shape_of<2, 4>>;
#ifdef CTNN_SHOULD_FAIL
using X = ctnn::Sample<float, 10>;
#else
using X = ctnn::Sample<float, 8>;
#endif

int main() {
  Pool pool;
  return pool.forward(X::Zero()).size() == 4 ? 0 : 1;
}
