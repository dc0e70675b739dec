// Class-index targets are one integer row with one index per sample. With CTNN_SHOULD_FAIL
// the row holds 5 indices for a batch of 4 logits columns.
#include <ctnn/loss/cross_entropy.hpp>

int main() {
  ctnn::CrossEntropyLoss loss;
  Eigen::Matrix<float, 3, 4> logits = Eigen::Matrix<float, 3, 4>::Zero();
#ifdef CTNN_SHOULD_FAIL
  ctnn::ClassIndices<5> target{0, 1, 2, 0, 1};
#else
  ctnn::ClassIndices<4> target{0, 1, 2, 0};
#endif
  return loss(logits, target) > 0 ? 0 : 1;
}
