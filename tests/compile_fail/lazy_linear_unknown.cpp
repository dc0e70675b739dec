// Linear<any, 4> takes its in_features from the shape that reaches it; here nothing before it
// fixes one.
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::ReLU, ctnn::Linear<ctnn::any, 4>>;
#else
using Net = ctnn::Sequential<ctnn::Linear<3, 3>, ctnn::ReLU, ctnn::Linear<ctnn::any, 4>>;
#endif

int main() {
  Net net;
  return net(ctnn::Sample<float, 3>::Zero()).size() == 4 ? 0 : 1;
}
