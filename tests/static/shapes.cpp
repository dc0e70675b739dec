// Static tests: widths, parameter counts and layer concepts, checked by the compiler only.
#include <ctnn/ctnn.hpp>

using namespace ctnn;

static_assert(Layer<Linear<2, 3>>);
