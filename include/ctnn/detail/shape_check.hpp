/// @file The only file that emits shape diagnostics. GCC 12 cannot format numbers into a
/// static_assert message, so each check is a type whose name reads as a sentence with the
/// numbers in it; the compiler prints that name in the note under the error.
/// docs/errors.md lists every message here with the compile-fail test that pins it.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctnn/core/layer.hpp"
#include "ctnn/core/shape.hpp"

namespace ctnn::detail {

// ---- Sequential: adjacent layers ------------------------------------------------------------

/// The shape S as a pack of ints, so that a diagnostic prints its dimensions.
template <int... D>
struct dims {};
template <Shape S, std::size_t... Is>
dims<S.dims[Is]...> dims_of_impl(std::index_sequence<Is...>);
template <Shape S>
using dims_of = decltype(dims_of_impl<S>(std::make_index_sequence<static_cast<std::size_t>(S.rank)>{}));

template <int Index, class Layer>
struct layer {
  // flat samples: the wording of widths
  template <int Expected>
  struct expects_input_features {
    template <int PrevIndex, class Prev>
    struct but_layer {
      template <int Produced>
      static constexpr bool produces = accepts<Layer>(flat_shape(Produced));
    };
  };
  // samples of any rank: the shapes in PyTorch's order
  template <int... Expected>
  struct expects_input_shape {
    template <int PrevIndex, class Prev>
    struct but_layer {
      template <int... Produced>
      static constexpr bool produces_shape = accepts<Layer>(Shape(Produced...));
    };
    template <int... Given>
    static constexpr bool but_the_network_input_shape_is = accepts<Layer>(Shape(Given...));
  };
  template <bool Known>
  static constexpr bool needs_to_know_its_input_shape_but_it_is_known = Known;
};

template <int I, class Layer, class Prev, int Expected, int Produced>
struct check_layer_input {
  // Fix: make layer I's input width equal the width layer I-1 produces (change one of the
  // two Linear sizes, or insert a layer that maps one width to the other).
  static_assert(layer<I, Layer>::template expects_input_features<Expected>::template but_layer<
                    I - 1, Prev>::template produces<Produced>,
                "ctnn::Sequential: adjacent layers disagree on the number of features (the note "
                "below names them)");
};

template <int I, class Layer, class Prev, class Expected, class Produced, bool SameSize>
struct check_layer_shape;
template <int I, class Layer, class Prev, int... E, int... P>
struct check_layer_shape<I, Layer, Prev, dims<E...>, dims<P...>, false> {
  // Fix: change the layers so that layer I takes the shape layer I-1 produces.
  static_assert(layer<I, Layer>::template expects_input_shape<E...>::template but_layer<I - 1, Prev>::template produces_shape<P...>,
                "ctnn::Sequential: a layer does not take the shape the layer before it produces (the note "
                "below names both layers and both shapes)");
};
template <int I, class Layer, class Prev, int... E, int... P>
struct check_layer_shape<I, Layer, Prev, dims<E...>, dims<P...>, true> {
  // Fix: both shapes hold the same elements; ctnn::Flatten (or ctnn::Unflatten<dims...>)
  // between the two layers changes the shape without touching the data.
  static_assert(layer<I, Layer>::template expects_input_shape<E...>::template but_layer<I - 1, Prev>::template produces_shape<P...>,
                "ctnn::Sequential: a layer does not take the shape the layer before it produces (the note "
                "below names both layers and both shapes); they hold the same number of elements: insert "
                "ctnn::Flatten (or ctnn::Unflatten<dims...>) between them");
};

template <int I, class Layer, class Given, class Expected>
struct check_network_input;
template <int I, class Layer, int... G, int... E>
struct check_network_input<I, Layer, dims<G...>, dims<E...>> {
  // Fix: give ctnn::with_input the shape of one sample that the first layer takes.
  static_assert(layer<I, Layer>::template expects_input_shape<E...>::template but_the_network_input_shape_is<G...>,
                "ctnn::Sequential: the input shape given with ctnn::with_input does not fit the first layer (the "
                "note below names the layer and both shapes)");
};

template <int I, class Layer>
struct check_input_shape_known {
  // Fix: name the shape of one sample once, at the top: ctnn::with_input<Net, 1, 28, 28>.
  static_assert(layer<I, Layer>::template needs_to_know_its_input_shape_but_it_is_known<false>,
                "ctnn::Sequential: a layer needs the shape of its input, which no layer before it fixes; give "
                "the network's input shape with ctnn::with_input<Net, dims...> (the note below names the layer)");
};

template <std::size_t I>
struct link_ok {};

/// The check of the link into layer I of the chain Ls... fed shape In. Unknown is the check
/// of an input shape that never became known: made when a network is constructed, not when
/// its type is named, since a chain inside a container (a Residual's conv body, a Concat's
/// branches, a nested Sequential) learns its input shape from the network around it.
template <std::size_t I, Shape In, bool Unknown, class... Ls>
struct link_check {
  using types = std::tuple<Ls...>;
  using L = std::tuple_element_t<I, types>;
  static constexpr auto chain = chain_shapes<Ls...>(In);
  static constexpr Shape produced = chain.shapes[I];
  static constexpr Shape expected = expected_input<L>(produced);
  static constexpr auto pick() {
    if constexpr (chain.ok[I] || Unknown != !produced.known()) {
      return std::type_identity<link_ok<I>>{};
    } else if constexpr (Unknown) {
      return std::type_identity<check_input_shape_known<static_cast<int>(I), L>>{};
    } else if constexpr (I == 0) {
      return std::type_identity<check_network_input<0, L, dims_of<produced>, dims_of<expected>>>{};
    } else {
      using Prev = std::tuple_element_t<I - 1, types>;
      if constexpr (produced.rank == 1 && expected.rank == 1) {
        return std::type_identity<check_layer_input<static_cast<int>(I), L, Prev, expected[0], produced[0]>>{};
      } else {
        return std::type_identity<check_layer_shape<static_cast<int>(I), L, Prev, dims_of<expected>, dims_of<produced>,
                                                    expected.size() == produced.size()>>{};
      }
    }
  }
  using type = typename decltype(pick())::type;
};

template <class Seq, Shape In, bool Unknown, class... Ls>
struct link_checks_impl;
template <std::size_t... Is, Shape In, bool Unknown, class... Ls>
struct link_checks_impl<std::index_sequence<Is...>, In, Unknown, Ls...> : link_check<Is, In, Unknown, Ls...>::type... {};

/// Sequential<Ls...> derives from this: one base per layer, each with its own static_assert,
/// so a bad link is reported once, at the line where the user names the type.
template <Shape In, class... Ls>
struct link_checks : link_checks_impl<std::index_sequence_for<Ls...>, In, false, Ls...> {};
/// The input shapes that no layer and no with_input fixed: checked by Sequential's
/// constructors (see link_check).
template <Shape In, class... Ls>
struct input_known_checks : link_checks_impl<std::index_sequence_for<Ls...>, In, true, Ls...> {};

// ---- Sequential: every argument is a layer ----------------------------------------------------

template <int Index, class T>
struct argument {
  template <bool Has>
  static constexpr bool has_in_features_and_out_features = Has;
  template <bool Has>
  static constexpr bool has_forward_x = Has;
  template <bool Has>
  static constexpr bool has_backward_x_y_grad_y = Has;
};

/// One error per argument that is not a layer, naming the first part it misses.
template <int I, class T, bool Shape, bool Forward, bool Backward>
struct check_argument {
  // Fix: declare `static constexpr int in_features = ..., out_features = ...;` (ctnn::any for
  // a layer that takes any width), or pass the layer type rather than something else.
  static_assert(argument<I, T>::template has_in_features_and_out_features<Shape>,
                "ctnn::Sequential<Layers...>: every argument must be a layer; the one the note names "
                "has no shape rule (see docs/concepts.md#layer)");
  // Fix: add `template <class X> ctnn::batch_like<X, Out> forward(const Eigen::MatrixBase<X>& x)`.
  static_assert(!Shape || argument<I, T>::template has_forward_x<Forward>,
                "ctnn::Sequential<Layers...>: every argument must be a layer; the one the note names "
                "has no forward(x) that accepts its input (see docs/concepts.md#layer)");
  // Fix: add `backward(x, y, grad_y)` returning dLoss/dx, or `backward(grad_y)` for a module
  // that keeps its own activations.
  static_assert(!Shape || !Forward || argument<I, T>::template has_backward_x_y_grad_y<Backward>,
                "ctnn::Sequential<Layers...>: every argument must be a layer; the one the note names "
                "has no backward(x, y, grad_y) (see docs/concepts.md#layer)");
};

template <class Seq, class... Ls>
struct argument_checks;
template <std::size_t... Is, class... Ls>
struct argument_checks<std::index_sequence<Is...>, Ls...>
    : check_argument<static_cast<int>(Is), Ls, HasShapeRule<Ls>, HasForward<Ls>, HasBackward<Ls>>... {};

// ---- forward / backward arguments ------------------------------------------------------------

template <class Model>
struct forward_of {
  template <int Expected>
  struct expects_input_features {
    template <int Given>
    static constexpr bool but_was_given = Expected == any || Given == -1 || Expected == Given;
  };
};

template <class Model>
struct backward_of {
  template <int Expected>
  struct expects_gradient_features {
    template <int Given>
    static constexpr bool but_was_given = Expected == any || Given == -1 || Expected == Given;
  };
};

/// Checks that an input with `Given` rows (Eigen::Dynamic = -1: checked at run time) fits a
/// model expecting `Expected` features. Evaluates to the check's result.
template <class Model, int Expected, int Given>
constexpr bool check_forward_input() {
  // Fix: pass a sample (or batch) with as many rows as the model's in_features.
  static_assert(forward_of<Model>::template expects_input_features<Expected>::template but_was_given<Given>,
                "ctnn: forward was given an input with the wrong number of features (the note below "
                "names the model, the expected and the given width)");
  return forward_of<Model>::template expects_input_features<Expected>::template but_was_given<Given>;
}

template <class Model, int Expected, int Given>
constexpr bool check_backward_gradient() {
  // Fix: backward takes dLoss/dOutput, which has as many rows as the model's out_features.
  static_assert(backward_of<Model>::template expects_gradient_features<Expected>::template but_was_given<Given>,
                "ctnn: backward was given a gradient with the wrong number of features (the note "
                "below names the model, the expected and the given width)");
  return backward_of<Model>::template expects_gradient_features<Expected>::template but_was_given<Given>;
}

template <class Model, class Expected, class Given>
struct forward_expects_scalar {
  template <class>
  static constexpr bool but_was_given = std::is_same_v<Expected, Given>;
};

template <class Model, class Expected, class Given>
constexpr bool check_input_scalar() {
  // Fix: convert the input with .template cast<Scalar>(), or instantiate the model with
  // ctnn::with_scalar<Model, Scalar>.
  static_assert(forward_expects_scalar<Model, Expected, Given>::template but_was_given<Given>,
                "ctnn: the input's scalar type differs from the model's (float vs double?)");
  return std::is_same_v<Expected, Given>;
}

// ---- losses: the target against the prediction ---------------------------------------------

template <class Loss>
struct loss_target_of {
  template <int PredRows, int PredCols>
  struct must_have_the_prediction_shape {
    template <int TargetRows, int TargetCols>
    static constexpr bool but_has = (PredRows == -1 || TargetRows == -1 || PredRows == TargetRows) &&
                                    (PredCols == -1 || TargetCols == -1 || PredCols == TargetCols);
  };
  template <int PredCols>
  struct must_be_one_class_index_per_sample_of {
    template <int TargetRows, int TargetCols>
    static constexpr bool but_has =
        TargetRows == 1 && (PredCols == -1 || TargetCols == -1 || PredCols == TargetCols);
  };
};

/// Checks that a target of TR x TC fits a prediction of PR x PC (-1: checked at run time).
template <class Loss, int PR, int PC, int TR, int TC>
constexpr bool check_loss_target_shape() {
  // Fix: the target has one value per prediction value: as many rows (features) and columns
  // (samples) as the prediction. For class indices use CrossEntropyLoss or NLLLoss.
  static_assert(loss_target_of<Loss>::template must_have_the_prediction_shape<PR, PC>::template but_has<TR, TC>,
                "ctnn: the loss's target does not have the prediction's shape (features x batch; the "
                "note below names the loss and both shapes)");
  return loss_target_of<Loss>::template must_have_the_prediction_shape<PR, PC>::template but_has<TR, TC>;
}

/// Checks that class indices of TR x TC fit a prediction with PC samples: one row, PC columns.
template <class Loss, int PC, int TR, int TC>
constexpr bool check_class_targets() {
  // Fix: pass one class index per sample as a 1 x B integer row, e.g.
  // Eigen::Matrix<int, 1, B> (ctnn::ClassIndices<B>), B being the prediction's columns.
  static_assert(loss_target_of<Loss>::template must_be_one_class_index_per_sample_of<PC>::template but_has<TR, TC>,
                "ctnn: class-index targets must be one integer row with one index per sample (the note "
                "below names the loss, the batch size and the target's shape)");
  return loss_target_of<Loss>::template must_be_one_class_index_per_sample_of<PC>::template but_has<TR, TC>;
}

template <class Loss, class Pred, class Target>
struct loss_prediction_scalar {
  template <class>
  static constexpr bool differs_from_the_target_scalar = std::is_same_v<Pred, Target>;
};

template <class Loss, class Pred, class Target>
constexpr bool check_loss_scalar() {
  // Fix: give prediction and target the same scalar type (.template cast<float>()).
  static_assert(loss_prediction_scalar<Loss, Pred, Target>::template differs_from_the_target_scalar<Target>,
                "ctnn: the loss's prediction and target have different scalar types (float vs double?)");
  return std::is_same_v<Pred, Target>;
}

}  // namespace ctnn::detail
