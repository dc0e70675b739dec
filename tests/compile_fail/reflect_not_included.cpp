// <ctnn/inference.hpp> leaves Boost.Hana out: a custom layer declared with
// BOOST_HANA_DEFINE_STRUCT needs <ctnn/core/reflect.hpp> (or <ctnn/ctnn.hpp>) for ctnn to see its
// members; without it the model would have no parameters, so it is one error instead.
#include <boost/hana/define_struct.hpp>
#include <ctnn/inference.hpp>
#ifndef CTNN_SHOULD_FAIL
#include <ctnn/core/reflect.hpp>
#endif

struct Scale {
  BOOST_HANA_DEFINE_STRUCT(Scale, (ctnn::Parameter<float, 3>, weight));
};

int main() {
  Scale s;
  int n = 0;
  ctnn::parameters(s, [&](auto& p) { n += static_cast<int>(p.size); });
  return n == 3 ? 0 : 1;
}
