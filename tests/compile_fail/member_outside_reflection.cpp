// A Parameter declared outside BOOST_HANA_DEFINE_STRUCT would never be trained, saved, counted
// or zeroed: an aggregate's Parameter and Buffer members are counted (a Boost.PFR-style probe,
// which GCC answers; Clang 14 lets it pass) and compared with the reflected ones.
#include <ctnn/ctnn.hpp>

struct Scale {
#ifdef CTNN_SHOULD_FAIL
  BOOST_HANA_DEFINE_STRUCT(Scale, (ctnn::Parameter<float, 3>, weight));
  ctnn::Parameter<float, 3> bias;
#else
  BOOST_HANA_DEFINE_STRUCT(Scale, (ctnn::Parameter<float, 3>, weight), (ctnn::Parameter<float, 3>, bias));
#endif
};

int main() {
  Scale s;
  int n = 0;
  ctnn::parameters(s, [&](auto& p) { n += static_cast<int>(p.size); });
  return n == 6 ? 0 : 1;
}
