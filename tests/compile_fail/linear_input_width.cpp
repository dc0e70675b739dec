// A Linear layer used on its own, given an input of the wrong width.
#include <ctnn/ctnn.hpp>

int main() {
  ctnn::Linear<5, 3> layer;
#ifdef CTNN_SHOULD_FAIL
  const ctnn::Sample<float, 4> x = ctnn::Sample<float, 4>::Zero();
#else
  const ctnn::Sample<float, 5> x = ctnn::Sample<float, 5>::Zero();
#endif
  return layer.forward(x).size() == 3 ? 0 : 1;
}
