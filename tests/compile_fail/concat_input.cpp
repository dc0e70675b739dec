// Every branch of a Concat receives its input: a branch taking 5 features beside one taking 4.
#include <ctnn/ctnn.hpp>
#include <ctnn/layers/concat.hpp>

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Concat<ctnn::Linear<4, 2>, ctnn::Linear<5, 3>>, ctnn::Linear<5, 1>>;
#else
using Net = ctnn::Sequential<ctnn::Concat<ctnn::Linear<4, 2>, ctnn::Linear<4, 3>>, ctnn::Linear<5, 1>>;
#endif

int main() {
  Net net;
  return net(ctnn::Sample<float, 4>::Zero()).size() == 1 ? 0 : 1;
}
