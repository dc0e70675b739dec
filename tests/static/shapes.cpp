// Static tests of the core: widths, parameter counts, names, concepts and scalar types,
// checked by the compiler only (this translation unit is never run).
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/centered.hpp>
#include <ctnn/layers/linear.hpp>
#include <ctnn/layers/softmax.hpp>

#include <type_traits>

using namespace ctnn;

// ---- every built-in layer is a Layer -----------------------------------------------------------
static_assert(Layer<Linear<2, 3>>);
static_assert(Layer<Linear<2, 3, false>>);
static_assert(Layer<Linear<2, 3, true, double>>);
static_assert(Layer<ReLU> && Layer<LeakyReLU> && Layer<Sigmoid> && Layer<Tanh> && Layer<GELU> && Layer<GELUTanh>);
static_assert(Layer<SiLU> && Layer<ELU> && Layer<Softplus> && Layer<Softmax> && Layer<LogSoftmax>);
static_assert(Layer<Identity> && Layer<Centered>);
static_assert(Layer<Sequential<Linear<2, 3>, ReLU>>);
static_assert(!Layer<int> && !Layer<Parameter<float, 2, 2>>);

// ---- widths ----------------------------------------------------------------------------------------
using Net = Sequential<Linear<8, 128>, Centered, ReLU, Linear<128, 1>>;
static_assert(Net::in_features == 8 && Net::out_features == 1 && Net::size == 4);
static_assert(Linear<5, 3>::in_features == 5 && Linear<5, 3>::out_features == 3);
static_assert(ReLU::in_features == any && ReLU::out_features == any);
// polymorphic layers before the first fixed one pass its width through
static_assert(Sequential<ReLU, Centered, Linear<4, 2>, Tanh>::in_features == 4);
static_assert(Sequential<ReLU, Centered, Linear<4, 2>, Tanh>::out_features == 2);
// a Sequential of polymorphic layers is polymorphic
static_assert(Sequential<ReLU, Tanh>::in_features == any && Sequential<ReLU, Tanh>::out_features == any);
// nesting
using Nested = Sequential<Linear<4, 6>, Sequential<Linear<6, 6>, ReLU>, Linear<6, 2>>;
static_assert(Nested::in_features == 4 && Nested::out_features == 2);
static_assert(Sequential<Nested, Softmax>::out_features == 2);

// ---- the chain predicate (the diagnostic's negative twin) --------------------------------------
static_assert(Chainable<Linear<8, 128>, Linear<128, 1>>);
static_assert(!Chainable<Linear<8, 128>, Linear<64, 1>>);
static_assert(!Chainable<Linear<8, 128>, ReLU, Centered, Linear<64, 1>>);
static_assert(Chainable<ReLU, Linear<3, 3>, Tanh, Linear<3, 1>>);
static_assert(!Chainable<Linear<4, 6>, Sequential<Linear<5, 6>, ReLU>>);
static_assert(Chainable<ReLU>);

// ---- parameter counts ------------------------------------------------------------------------------
static_assert(parameter_count<Net> == 8 * 128 + 128 + 128 + 1);
static_assert(parameter_count<Linear<100, 50>> == 5050);
static_assert(parameter_count<Linear<100, 50, false>> == 5000);
static_assert(parameter_count<ReLU> == 0 && parameter_count<Sequential<ReLU, Tanh>> == 0);
static_assert(parameter_count<Nested> == 30 + 42 + 14);
static_assert(parameter_count<Sequential<Linear<1024, 1024>, ReLU, Linear<1024, 1024>>> == 2 * (1024 * 1024 + 1024));

// ---- Parameter: PyTorch's shapes ---------------------------------------------------------------
static_assert(std::is_same_v<decltype(Linear<5, 3>::weight), Parameter<float, 3, 5>>);
static_assert(std::is_same_v<decltype(Linear<5, 3>::bias), Parameter<float, 3, 1>>);
static_assert(std::is_same_v<decltype(Linear<5, 3, false>::bias), NoParameter>);
static_assert(Parameter<float, 3, 5>::shape()[0] == 3 && Parameter<float, 3, 5>::shape()[1] == 5);
static_assert(Parameter<float, 3, 1>::ndim == 1 && Parameter<float, 3, 1>::shape()[0] == 3);
// nn.Linear(1, 8).weight is 2-D (8, 1) in PyTorch, though it has one column
static_assert(decltype(Linear<1, 8>::weight)::ndim == 2 && decltype(Linear<1, 8>::weight)::shape()[1] == 1);
static_assert(decltype(Linear<1, 8>::bias)::ndim == 1);
// small parameters are fixed-size Eigen matrices; large ones keep their rows and go to the heap
static_assert(std::is_same_v<Parameter<float, 3, 5>::matrix_type, Eigen::Matrix<float, 3, 5>>);
static_assert(std::is_same_v<Parameter<float, 1024, 1024>::matrix_type, Eigen::Matrix<float, 1024, Eigen::Dynamic>>);

// ---- scalar types --------------------------------------------------------------------------------
static_assert(std::is_same_v<scalar_of<Net>, float>);
static_assert(std::is_same_v<with_scalar<Net, double>,
                             Sequential<Linear<8, 128, true, double>, Centered, ReLU, Linear<128, 1, true, double>>>);
static_assert(std::is_same_v<scalar_of<with_scalar<Nested, double>>, double>);
static_assert(std::is_same_v<with_scalar<ReLU, double>, ReLU>);  // parameter-free: any scalar
template <class T>
concept HasScalarType = requires { typename T::scalar_type; };
static_assert(!HasScalarType<Sequential<ReLU, Tanh>> && HasScalarType<Net>);

// ---- what forward returns: the output width, the input's batch --------------------------------
static_assert(std::is_same_v<decltype(std::declval<Net&>().forward(std::declval<Batch<float, 8, 32>>())),
                             Eigen::Matrix<float, 1, 32>>);
static_assert(std::is_same_v<decltype(std::declval<Net&>().forward(std::declval<Sample<float, 8>>())),
                             Eigen::Matrix<float, 1, 1>>);
static_assert(std::is_same_v<decltype(std::declval<const Net&>().infer(std::declval<Eigen::Matrix<float, 8, Eigen::Dynamic>>())),
                             Eigen::Matrix<float, 1, Eigen::Dynamic>>);
static_assert(std::is_same_v<decltype(std::declval<Net&>().backward(std::declval<Batch<float, 1, 32>>())),
                             Eigen::Matrix<float, 8, 32>>);

// ---- children's names --------------------------------------------------------------------------
static_assert(detail::index_name<0>::value == "0" && detail::index_name<12>::value == "12");
static_assert(Linear<2, 3>::repr_name == "Linear" && Net::repr_name == "Sequential");

// ---- shapes of samples with several dimensions --------------------------------------------------
#include <ctnn/layers/flatten.hpp>

#include "../compile_fail/toy_conv.hpp"

// a layer's shape rule, and the defaults for layers that state widths only
static_assert(natural_input_shape<Linear<8, 4>>() == shape_of<8> && natural_input_shape<ReLU>() == Shape{});
static_assert(output_shape<Linear<5, 3>>(shape_of<6, 5>) == shape_of<6, 3>);  // the last dimension
static_assert(accepts<Linear<5, 3>>(shape_of<7, 5>) && !accepts<Linear<5, 3>>(shape_of<5, 7>));
static_assert(output_shape<ReLU>(shape_of<4, 10>) == shape_of<4, 10>);  // element-wise: any shape
static_assert(output_shape<Flatten>(shape_of<2, 3, 4>) == shape_of<24> && output_shape<Flatten>(shape_of<5>) == shape_of<5>);
static_assert(output_shape<Unflatten<4, 100>>(shape_of<400>) == shape_of<4, 100>);
static_assert(output_shape<Unflatten<2, 4>>(shape_of<8, 50>) == shape_of<2, 4, 50>);
static_assert(!accepts<Unflatten<4, 100>>(shape_of<401>));
static_assert(shape_of<3, 28, 28>.size() == 3 * 28 * 28 && shape_of<3, 28, 28>.rank == 3);

// in_shape / out_shape of a network; in_features / out_features are element counts
using Mlp = Sequential<Linear<8, 16>, ReLU, Linear<16, 2>>;
static_assert(Mlp::in_shape == shape_of<8> && Mlp::out_shape == shape_of<2>);
using Cnn = with_input<Sequential<ToyConv<1, 4>, ReLU, ToyConv<4, 8>, Flatten, Linear<any, 10>>, 1, 30>;
static_assert(Cnn::in_shape == shape_of<1, 30> && Cnn::in_features == 30);
static_assert(Cnn::child_input_shapes[2] == shape_of<4, 28> && Cnn::child_input_shapes[3] == shape_of<8, 26>);
static_assert(Cnn::out_shape == shape_of<10> && Cnn::out_features == 10);
// Linear<any, 10> after 208 elements is Linear<208, 10>: its parameters are that Linear's
static_assert(std::is_same_v<std::tuple_element_t<4, Cnn::child_types>, Linear<208, 10>>);
static_assert(parameter_count<Cnn> == 208 * 10 + 10);
// the input shape is no layer: indices stay PyTorch's
static_assert(Cnn::size == 5);
// with_input on a network that fixes its own input replaces it by a compatible one
using Seq = with_input<Sequential<Linear<4, 3>, Tanh, Softmax>, 7, 4>;
static_assert(Seq::out_shape == shape_of<7, 3> && Seq::in_features == 28 && Seq::out_features == 21);
static_assert(std::is_same_v<std::tuple_element_t<2, Seq::child_types>, BasicSoftmax<3, 2>>);  // over the last dimension
// a nested Sequential takes the shape that reaches it
using Outer = with_input<Sequential<Unflatten<3, 4>, Sequential<Linear<4, 2>, ReLU>, Flatten>, 12>;
static_assert(Outer::out_shape == shape_of<6>);
static_assert(std::tuple_element_t<1, Outer::child_types>::in_shape == shape_of<3, 4>);
// Flatten first: the input decides
static_assert(Sequential<Flatten, ReLU>::in_shape == Shape{} && Sequential<Flatten, ReLU>::in_features == any);

// the chain predicate on shapes (the diagnostics' negative twins)
static_assert(ChainableFrom<shape_of<1, 30>, ToyConv<1, 4>, Flatten, Linear<112, 3>>);
static_assert(!ChainableFrom<shape_of<1, 30>, ToyConv<1, 4>, Linear<112, 3>>);  // (4, 28) is no (112)
static_assert(!ChainableFrom<shape_of<1, 30>, ToyConv<1, 4>, ToyConv<8, 2>>);    // 4 channels, not 8
static_assert(!Chainable<ToyConv<1, 4>, ReLU>);                                   // no input shape
static_assert(!Chainable<ReLU, Linear<any, 4>>);                                  // nothing fixes its in_features
static_assert(Chainable<Linear<3, 3>, ReLU, Linear<any, 4>>);
static_assert(Layer<Flatten> && Layer<Unflatten<2, 3>> && Layer<Linear<any, 4>> && Layer<ToyConv<2, 3>>);

// the example of docs/concepts.md#shapes
namespace docs_with_input {
// --8<-- [start:with-input]
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Unflatten<3, 4>, ctnn::Linear<4, 2>,
                                              ctnn::Flatten, ctnn::Linear<ctnn::any, 3>>, 12>;
static_assert(Net::in_shape == ctnn::shape_of<12> && Net::out_shape == ctnn::shape_of<3>);
// --8<-- [end:with-input]
}  // namespace docs_with_input
