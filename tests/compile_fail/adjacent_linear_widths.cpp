// Two adjacent Linear layers that disagree: 128 features leave layer 0, layer 1 expects 64.
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Linear<8, 128>, ctnn::Linear<64, 1>>;
#else
using Net = ctnn::Sequential<ctnn::Linear<8, 128>, ctnn::Linear<128, 1>>;
#endif

int main() {
  Net net;
  return net(ctnn::Sample<float, 8>::Zero()).size() == 1 ? 0 : 1;
}
