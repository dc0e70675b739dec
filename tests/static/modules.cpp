// Static tests for custom layers and models (issue 3): the Layer concept on the seeds' layers
// and on ctnn's module helpers, reflection counts, widths, with_scalar, summary numbers.
#include <ctnn/ctnn.hpp>

#include "../../examples/seed_layers.hpp"

namespace modules_static {

using namespace ctnn;

// every seed layer and model is a Layer: shape rule, forward, backward
static_assert(Layer<seeds::CenteredLayer>);
static_assert(Layer<seeds::MyLinear<64, 8>>);
static_assert(Layer<seeds::MyLayer<5, 3>>);
static_assert(Layer<seeds::MyLayer<5, 3, false>>);
static_assert(Layer<seeds::StatefulLinear<5, 3>>);  // backward(grad): keeps its own x
static_assert(Layer<seeds::MyNet>);
static_assert(Layer<Dropout> && Layer<Elementwise<Identity>> && Layer<Cached<Linear<2, 3>>>);

// a part missing is visible to requires-expressions (the compile-fail tests pin the words)
struct OnlyShape {
  static constexpr int in_features = 2, out_features = 2;
};
static_assert(HasShapeRule<OnlyShape> && !HasForward<OnlyShape> && !HasBackward<OnlyShape> && !Layer<OnlyShape>);

// widths, chained through custom layers
static_assert(seeds::MyNet::in_features == seeds::D_in && seeds::MyNet::out_features == seeds::D_out);
static_assert(Sequential<seeds::MyLinear<64, 8>, seeds::MyLinear<8, 1>>::in_features == 64);
static_assert(Sequential<seeds::MyLinear<64, 8>, seeds::MyLinear<8, 1>>::out_features == 1);
static_assert(Sequential<Linear<8, 128>, seeds::CenteredLayer, Dropout>::out_features == 128);
static_assert(Chainable<seeds::MyLayer<5, 3>, seeds::CenteredLayer, seeds::MyLinear<3, 2>>);
static_assert(!Chainable<seeds::MyLayer<5, 3>, seeds::MyLinear<4, 2>>);

// reflection: parameters counted once, NoParameter counts nothing, buffers are not parameters
static_assert(parameter_count<seeds::MyLinear<64, 8>> == 64 * 8 + 8);
static_assert(parameter_count<seeds::MyLayer<5, 3>> == 5 * 3 + 5);
static_assert(parameter_count<seeds::MyLayer<5, 3, false>> == 5 * 3);
static_assert(parameter_count<seeds::MyNet> == 20);
static_assert(parameter_count<Sequential<seeds::MyLinear<64, 8>, seeds::MyLinear<8, 1>>> == 64 * 8 + 8 + 8 + 1);
static_assert(parameter_count<Cached<seeds::MyLayer<5, 3>>> == 20);
static_assert(parameter_count<Dropout> == 0 && parameter_count<seeds::CenteredLayer> == 0);
struct WithBuffer {
  static constexpr int in_features = 2, out_features = 2;
  BOOST_HANA_DEFINE_STRUCT(WithBuffer, (Buffer<float, 2>, running), (Parameter<float, 2>, scale));
};
static_assert(parameter_count<WithBuffer> == 2);
static_assert(BufferType<Buffer<float, 2>> && !ParameterType<Buffer<float, 2>> && !BufferType<Parameter<float, 2>>);

// scalar types follow with_scalar through custom layers and Cached
static_assert(std::is_same_v<scalar_of<with_scalar<seeds::MyNet, double>>, double>);
static_assert(std::is_same_v<with_scalar<seeds::MyLayer<5, 3>, double>, seeds::MyLayer<5, 3, true, double>>);
static_assert(std::is_same_v<with_scalar<Cached<seeds::MyLayer<5, 3>>, double>,
                             Cached<seeds::MyLayer<5, 3, true, double>, double>>);

// names print() uses
static_assert(detail::repr_name_of<seeds::CenteredLayer>() == "CenteredLayer");
static_assert(detail::repr_name_of<seeds::MyLayer<5, 3, false, double>>() == "MyLayer");
static_assert(detail::repr_name_of<seeds::MyNet>() == "MyNet");
static_assert(detail::repr_name_of<Cached<seeds::MyLinear<2, 2>>>() == "MyLinear");
static_assert(detail::repr_name_of<Dropout>() == "Dropout");

// fans: PyTorch's (rows, cols) gives fan_in = cols, fan_out = rows
static_assert(init::fans<Parameter<float, 128, 8>>().fan_in == 8);
static_assert(init::fans<Parameter<float, 128, 8>>().fan_out == 128);

// summary: every number a constant
constexpr auto s = summary<Sequential<seeds::MyLinear<64, 8>, seeds::MyLinear<8, 1>>>();
static_assert(s.size() == 3 && s.total_params == 64 * 8 + 8 + 8 + 1);
static_assert(s.flops_per_sample == 2 * (64 * 8 + 8) + 2 * (8 + 1));  // 2 per parameter
static_assert(s.param_bytes == 4 * s.total_params && s.rows[2].out_features == 1);

// Dual numbers at compile time
constexpr Dual<double> x{3.0, 1.0};
static_assert((x * x + 2.0 * x).d == 8.0);  // d/dx (x^2 + 2x) at 3
static_assert((1.0 / x).d == -1.0 / 9.0);

}  // namespace modules_static
