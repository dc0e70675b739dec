// Something that is not a layer among a Sequential's arguments.
#include <ctnn/ctnn.hpp>

struct NotALayer {};

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Linear<2, 2>, NotALayer>;
#else
using Net = ctnn::Sequential<ctnn::Linear<2, 2>, ctnn::ReLU>;
#endif

int main() {
  Net net;
  (void)net;
  return 0;
}
