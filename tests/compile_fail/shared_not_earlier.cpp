// ctnn::Shared<I> reuses an earlier layer of the same Sequential: I must be before it.
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Linear<4, 4>, ctnn::Tanh, ctnn::Shared<3>, ctnn::Linear<4, 4>>;
#else
using Net = ctnn::Sequential<ctnn::Linear<4, 4>, ctnn::Tanh, ctnn::Shared<0>, ctnn::Linear<4, 4>>;
#endif

int main() {
  Net net;
  return net(ctnn::Sample<float, 4>::Zero()).size() == 4 ? 0 : 1;
}
