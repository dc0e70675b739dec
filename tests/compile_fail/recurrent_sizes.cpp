// A GRU with Hidden = 0.
#include <ctnn/layers/recurrent.hpp>

int main() {
#ifdef CTNN_SHOULD_FAIL
  ctnn::GRU<3, 0> gru;
#else
  ctnn::GRU<3, 1> gru;
#endif
  (void)gru;
}
