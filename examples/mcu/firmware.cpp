// A Cortex-M4F firmware that runs one network with weights compiled in by ctnn-embed, on
// mcu::samples fixed inputs, and prints each output (its float bits and a decimal), the size
// of the weights and the stack that inference used. tests/cross/mcu_reference checks the
// outputs against the host build of ctnn. Built once per network by CMakeLists.txt:
// embedded_net.hpp is that network's header, CTNN_MCU_NET_NAME its name. Without a network
// (the baseline firmware) it prints one number, so that sizes can be compared with and
// without ctnn.
#include "board.hpp"

#ifdef CTNN_MCU_NET_NAME
// --8<-- [start:firmware]
#include "embedded_net.hpp"  // ctnn-embed --type mcu::NetB --include nets.hpp ... (includes ctnn/inference.hpp)

namespace {
// Parameters zero until load(), no training buffers: nothing here touches the heap.
embedded_net::model_type net{ctnn::skip_init_t{}};

// Without exceptions a failed run-time check calls this; none is expected here.
void on_error(const char* message) {
  board::write("ctnn error: ");
  board::write(message);
  board::write("\n");
  board::exit(2);
}

__attribute__((noinline)) auto run(const auto& x) { return net.infer(x); }
}  // namespace

int main() {
  ctnn::set_error_handler(on_error);
  embedded_net::load(net);  // weights from flash into the model
  using Net = embedded_net::model_type;
  // --8<-- [end:firmware]
  board::write("ctnn-mcu net " CTNN_MCU_NET_NAME ": ");
  board::write_int(Net::in_features);
  board::write(" -> ");
  board::write_int(Net::out_features);
  board::write("\n");
  std::size_t stack = 0;
  for (int k = 0; k < mcu::samples; ++k) {
    const auto x = mcu::input<Net::in_features>(k);
    board::paint_stack();
    const auto y = run(x);
    const std::size_t used = board::stack_used();
    stack = used > stack ? used : stack;
    for (int i = 0; i < Net::out_features; ++i) {
      board::write("y " CTNN_MCU_NET_NAME " ");
      board::write_int(k);
      board::write(" ");
      board::write_int(i);
      board::write(" ");
      board::write_float(y(i));
      board::write("\n");
    }
  }
  board::write("weights " CTNN_MCU_NET_NAME " ");
  board::write_int(static_cast<long>(ctnn::parameter_count<Net> * sizeof(float)));
  board::write(" bytes\n");
  board::write("stack " CTNN_MCU_NET_NAME " ");
  board::write_int(static_cast<long>(stack));
  board::write(" bytes\n");
  return 0;
}
#else
int main() {
  volatile float v = 0.5f;  // the same printing code as a firmware with a network
  board::write("ctnn-mcu baseline: ");
  board::write_float(v);
  board::write("\n");
  return 0;
}
#endif
