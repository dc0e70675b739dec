// A (4, 10) sample reaches Linear<40, 10>, which takes (40) (or (T, 40)): the same 40
// elements, so the message suggests Flatten.
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Unflatten<4, 10>, ctnn::Linear<40, 10>>, 40>;
#else
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Unflatten<4, 10>, ctnn::Flatten, ctnn::Linear<40, 10>>, 40>;
#endif

int main() {
  Net net;
  return net(ctnn::Sample<float, 40>::Zero()).size() == 10 ? 0 : 1;
}
