// A Cortex-M4F firmware that runs one network with weights compiled in by ctnn-embed, on
// mcu::samples fixed inputs, and prints each output (its float bits and a decimal), the size
// of the weights and the stack that inference used. A streamed network (mcu::streamed) takes
// each input as a signal of mcu::steps samples, one step() per sample from a zero state, and
// prints the output of every step. tests/cross/mcu_reference checks the
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
__attribute__((noinline)) auto run_step(const auto& x) { return net.step(x); }
// --8<-- [end:firmware]

void write_output(int k, int i, float v) {
  board::write("y " CTNN_MCU_NET_NAME " ");
  board::write_int(k);
  board::write(" ");
  board::write_int(i);
  board::write(" ");
  board::write_float(v);
  board::write("\n");
}

/// Runs every sample and prints each output; returns the deepest stack a call used. A template,
/// so that `if constexpr` compiles only the branch the net takes.
template <class Net>
std::size_t run_samples(Net& model) {
  std::size_t stack = 0;
  for (int k = 0; k < mcu::samples; ++k) {
    const auto x = mcu::input<Net::in_features>(k);
    if constexpr (mcu::streamed<Net>) {
      // output i of the whole signal is step t's output o, i = t * step_out_features + o,
      // as infer() lays out a (steps, features) or (1, steps) sample
      static_assert(Net::step_in_features == 1 && Net::in_features == mcu::steps);
      model.reset_state();
      for (int t = 0; t < mcu::steps; ++t) {
        board::paint_stack();
        const auto y = run_step(Eigen::Matrix<float, 1, 1>::Constant(x(t)));
        const std::size_t used = board::stack_used();
        stack = used > stack ? used : stack;
        for (int o = 0; o < Net::step_out_features; ++o) write_output(k, t * Net::step_out_features + o, y(o));
      }
    } else {
      board::paint_stack();
      const auto y = run(x);
      const std::size_t used = board::stack_used();
      stack = used > stack ? used : stack;
      for (int i = 0; i < Net::out_features; ++i) write_output(k, i, y(i));
    }
  }
  return stack;
}
}  // namespace

// --8<-- [start:firmware_main]
int main() {
  ctnn::set_error_handler(on_error);
  embedded_net::load(net);  // weights from flash into the model
  using Net = embedded_net::model_type;
  // --8<-- [end:firmware_main]
  board::write("ctnn-mcu net " CTNN_MCU_NET_NAME ": ");
  board::write_int(Net::in_features);
  board::write(" -> ");
  board::write_int(Net::out_features);
  board::write(mcu::streamed<Net> ? ", streamed\n" : "\n");
  const std::size_t stack = run_samples(net);
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
