// SequentialLR takes one milestone fewer than schedulers; with CTNN_SHOULD_FAIL two
// schedulers come with two milestones.
#include <ctnn/layers/linear.hpp>
#include <ctnn/optim/lr_scheduler.hpp>
#include <ctnn/optim/sgd.hpp>

int main() {
  ctnn::Linear<1, 1, false, double> net;
  ctnn::optim::SGD opt{net, {.lr = 0.5}};
  ctnn::optim::SequentialLR seq{opt,
                                std::tuple{ctnn::optim::LinearLR{opt, 0.25, 1.0, 3}, ctnn::optim::ExponentialLR{opt, 0.9}},
#ifdef CTNN_SHOULD_FAIL
                                {3, 6}};
#else
                                {3}};
#endif
  seq.step();
  return seq.last_epoch() == 1 ? 0 : 1;
}
