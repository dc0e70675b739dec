// Firmwares that must fail, proving that the traps work: CTNN_MCU_TRAP_HEAP constructs a
// Sequential the default way, which allocates its training buffers (the heap trap must end
// the program: exit status 3); CTNN_MCU_TRAP_ERROR gives Sequential an input of the wrong
// size through a dynamic view (the error hook must run: exit status 2, with ctnn's message).
#include <Eigen/Core>

#include "board.hpp"
#include "nets.hpp"

namespace {
void on_error(const char* message) {
  board::write("ctnn error: ");
  board::write(message);
  board::write("\n");
  board::exit(2);
}
}  // namespace

int main() {
  ctnn::set_error_handler(on_error);
#if defined(CTNN_MCU_TRAP_HEAP)
  static mcu::NetB net;  // default construction: random weights, and training buffers on the heap
#else
  static const mcu::NetB net = ctnn::skip_init<mcu::NetB>();
#endif
  static float data[3] = {0.5f, 0.25f, 0.125f};
  const Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, 1>> x(data, 3);  // NetB takes 1 feature
  const auto y = net.infer(x);
  board::write("ctnn-mcu: no trap fired\n");
  return static_cast<int>(y(0) * 0.0f);  // 0: the test expects 2 or 3, so this fails it
}
