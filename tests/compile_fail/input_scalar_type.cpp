// A double input given to a float model.
#include <ctnn/ctnn.hpp>

int main() {
  ctnn::Sequential<ctnn::Linear<2, 2>, ctnn::ReLU> net;
#ifdef CTNN_SHOULD_FAIL
  const ctnn::Sample<double, 2> x = ctnn::Sample<double, 2>::Zero();
#else
  const ctnn::Sample<float, 2> x = ctnn::Sample<float, 2>::Zero();
#endif
  return net(x).size() == 2 ? 0 : 1;
}
