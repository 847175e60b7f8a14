// nn::Model — a stack of layers you can train: the functional API of the chapter.
//
//   Node input = layers::Input({32, 32, 3});
//   Node x = layers::Flatten()(input);
//   ...
//   Model model(input, output);
//   model.compile(losses::CategoricalCrossentropy(), optimizers::Adam(0.0005), {"accuracy"});
//   model.fit(x_train, y_train, {.batch_size = 32, .epochs = 10});
//
// One training step (train_step in model.cpp) is the whole chapter in five lines:
//   forward   every layer turns its input into its output, first to last
//   loss      compare the last output with the targets (for a softmax or sigmoid output
//             and a cross-entropy: compare its logits z, see losses/loss.h)
//   backward  from dL/d(output) — or, from the logits, dL/dz = p - y — every layer, last
//             to first, passes the error down and adds into its grads
//   guard     a NaN or infinite loss or gradient rejects the batch (model/step_guard.h)
//   step      the optimizer moves every weight against its gradient
//
// A model with several inputs and outputs (Keras's functional API) takes one array per
// input and one target per output, as a braced list (model/tensor_list.h); its loss is the
// weighted sum of one loss per output, plus the terms its layers add (Sampling's KL
// divergence), and backward starts at every output (model/loss_parts.h):
//   Model model({a, b}, {out_1, out_2});
//   model.compile({losses::BinaryCrossentropy(), losses::MeanSquaredError()}, optimizers::Adam(),
//                 {"accuracy"}, {.loss_weights = {1, 0.5f}});
//   model.fit({x_a, x_b}, {y_1, y_2}, {.epochs = 5});    // History: loss, dense_1_loss, ...
//   std::vector<Tensor> p = model.predict_outputs({x_a, x_b});
#pragma once
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kernels/gemm.h"  // gemm_seconds, for the profile
#include "layers/layer.h"
#include "losses/loss.h"
#include "model/callbacks.h"
#include "model/history.h"
#include "model/layer_fusion.h"
#include "model/loss_parts.h"
#include "model/npz.h"
#include "model/step_guard.h"
#include "model/tensor_list.h"
#include "optimizers/optimizer.h"
#include "tensor/rng.h"

namespace nn {

// Validation data for fit: refers to the caller's tensors, copies nothing. Set it as
// .validation_data = {x_test, y_test}, or for several inputs or outputs as lists,
// .validation_data = {{x_a, x_b}, {y_1, y_2}}; the tensors must outlive the fit call.
struct ValidationData {
  TensorList x, y;  // one array per input, one target per output
  ValidationData() = default;
  ValidationData(const Tensor& x_val, const Tensor& y_val) : x(x_val), y(y_val) {}
  ValidationData(const TensorList& x_val, const TensorList& y_val) : x(x_val), y(y_val) {}
  // Temporaries would dangle before fit reads them.
  ValidationData(Tensor&&, const Tensor&) = delete;
  ValidationData(const Tensor&, Tensor&&) = delete;
  ValidationData(Tensor&&, Tensor&&) = delete;
  bool empty() const { return x.empty(); }
};

struct FitOptions {
  int batch_size = 32;
  int epochs = 1;
  bool shuffle = true;
  float validation_split = 0;  // the LAST fraction of x, y (taken before shuffling), as Keras
  ValidationData validation_data = {};
  int verbose = 1;  // 0 silent, 1 progress bar, 2 one line per epoch
  std::vector<std::shared_ptr<Callback>> callbacks = {};
  uint64_t seed = 0;  // 0: shuffle with the global generator (nn::set_seed)
  // A NaN or infinite loss or gradient: "stop" ends fit before applying that batch and
  // returns the history so far with History::stop_reason set (and the message on stderr);
  // "throw" throws nn::ValueError with the same message instead, so it cannot go unnoticed.
  std::string on_nan = "stop";
};

// Where a running fit stands: the point a run resumed right now would continue from.
// Callbacks read it (ModelCheckpoint saves it); fit keeps it up to date after every batch.
// After the last batch of an epoch and its validation, it moves on to the next epoch
// (epoch + 1, batches_done 0) before on_epoch_end is called.
struct FitProgress {
  int epoch = 0;         // the epoch in progress, 0-based
  int batches_done = 0;  // batches of this epoch already trained on
  int batch_size = 0;    // this epoch's batch size
  int samples = 0;       // training samples per epoch (after validation_split)
  uint64_t seed = 0;     // FitOptions::seed of this fit
  const std::vector<int>* order = nullptr;  // (samples) this epoch's row order; null between epochs
  const Rng* shuffle_rng = nullptr;         // the generator shuffling draws from
  // This epoch so far: Σ batch loss × batch rows (and per loss part), correct predictions
  // per output (model/loss_parts.h); divided by the rows seen, the means the logs show.
  LossTotals totals = {};
  const History* history = nullptr;         // the epochs finished so far
  bool running = false;  // inside fit
};

struct ResumePoint;  // what resume_from read; defined in model/checkpoint.h

struct SummaryOptions {
  bool explain = false;  // add the arithmetic of each count, FLOPs and memory
};

// model.save(path, {.include_optimizer = true}); see model/model_file.h.
struct SaveOptions {
  // Also save how the model was compiled and the optimizer's state (and Dropout's
  // generators), so load_model returns it compiled, ready to continue training.
  bool include_optimizer = false;
};

class Model;
class Graph;
std::unique_ptr<Model> load_model(const std::string& path);  // model/model_file.h

class Model {
 public:
  // name "": Keras's unique name, "model", then "model_1", ... (reset_layer_names resets it).
  // A model needs at least one layer between inputs and outputs.
  Model(Node inputs, Node outputs, std::string name = "");
  // A graph (model/graph.h): several inputs and outputs, layers with several inputs (Add,
  // Concatenate, Sampling), a node read by several layers, a layer object called twice (one
  // layer, shared weights). fit, evaluate and predict then take one array per input and
  // one target per output, in this order.
  Model(std::vector<Node> inputs, std::vector<Node> outputs, std::string name = "");
  // A model called on a node, like a layer: `Node recon = decoder(encoded)` (model/nested_model.h).
  // The outer model runs this model's own layers, so training it trains these weights.
  // Only a model with one input and one output can be called so; to reuse part of a model
  // with several outputs, build the outer model from its nodes: Model(enc_in, decoder(z)).
  Node operator()(const Node& input);
  virtual ~Model() = default;
  Model(const Model&) = delete;  // layers are shared handles: copying would alias weights
  Model& operator=(const Model&) = delete;

  // ---- the Keras API ----
  void summary(SummaryOptions options = {});
  std::string summary_string(SummaryOptions options = {});
  // One loss for every output. options.loss_weights: one weight per output (model/loss_parts.h).
  void compile(const losses::Loss& loss, const optimizers::Optimizer& optimizer,
               std::vector<std::string> metrics = {}, CompileOptions options = {});
  // The loss by its Keras name: "categorical_crossentropy", "binary_crossentropy",
  // "mean_squared_error" / "mse"; anything else is an nn::ValueError listing these.
  void compile(const std::string& loss_name, const optimizers::Optimizer& optimizer,
               std::vector<std::string> metrics = {}, CompileOptions options = {});
  // One loss per output, in the order of the outputs (Keras's compile(loss=[...])):
  //   compile({losses::BinaryCrossentropy(), losses::MeanSquaredError()}, opt, {}, {.loss_weights = {1, 0.5f}});
  // A number of losses other than 1 or the number of outputs is an nn::ValueError.
  void compile(const LossList& losses, const optimizers::Optimizer& optimizer, std::vector<std::string> metrics = {},
               CompileOptions options = {});
  // Trains for options.epochs epochs; returns one History row per epoch finished. A
  // batch_size larger than the data trains on one smaller batch, as Keras does. y may be
  // (N) for an (N, 1) output (Keras expands it). When the loss or a gradient turns NaN or
  // infinite, fit does NOT throw by default: it stops before applying that batch, prints
  // why on stderr and returns the history so far with History::stop_reason saying why
  // (empty when every epoch ran). Check it, or pass .on_nan = "throw" to get an
  // nn::ValueError instead.
  History fit(const Tensor& x, const Tensor& y, FitOptions options = {});
  // Several inputs or outputs: one array per input and one target per output, in the
  // model's order, every one with the same number of samples N (else an nn::ShapeError
  // naming the one that differs). Shuffling gathers the same rows from each; nothing is
  // copied but the batches: fit({x_a, x_b}, {y_1, y_2}, {.epochs = 5}).
  History fit(const TensorList& x, const TensorList& y, FitOptions options = {});
  // {loss, metric...}; with a loss of several parts, in the order of metrics_names():
  // {loss, <output>_loss..., added losses..., metrics...}. Added losses count, as in Keras.
  std::vector<float> evaluate(const Tensor& x, const Tensor& y, int batch_size = 32, int verbose = 1);
  std::vector<float> evaluate(const TensorList& x, const TensorList& y, int batch_size = 32, int verbose = 1);
  // The output (a model with one output; one with several throws an nn::Error pointing to
  // predict_outputs).
  Tensor predict(const Tensor& x, int batch_size = 32);
  Tensor predict(const TensorList& x, int batch_size = 32);
  // One tensor per output, in the model's order (Keras's predict returns a list):
  //   std::vector<Tensor> z = encoder.predict_outputs(x);   // z_mean, z_log_var, z
  std::vector<Tensor> predict_outputs(const TensorList& x, int batch_size = 32);
  // One step; returns the loss before the update (the total, with every part). A NaN/inf
  // loss or gradient throws nn::ValueError and leaves the weights as they were.
  float train_on_batch(const Tensor& x, const Tensor& y);
  float train_on_batch(const TensorList& x, const TensorList& y);
  // What the logs and evaluate hold, in order (Keras's metrics_names): "loss", then, when the
  // loss has several parts, "<output name>_loss" per output and each added loss ("kl_loss"),
  // then each metric, per output when there are several ("<output name>_accuracy").
  std::vector<std::string> metrics_names();
  // The outputs' names: the layers making them ("dense_2"; a nested model's name for its
  // output; "_1", "_2" added to repeats), unless set. Keras 2 lets you assign
  // model.output_names; here: model.set_output_names({"reconstruction"}) gives
  // "reconstruction_loss" in History. One unique, non-empty name per output.
  std::vector<std::string> output_names() const;
  void set_output_names(std::vector<std::string> names);
  std::vector<Tensor> get_weights();
  void set_weights(const std::vector<Tensor>& weights);
  void save_weights(const std::string& path);
  void load_weights(const std::string& path);  // also reads the weights of a model file (save)
  // The whole model: architecture (config.json) and weights in one zip, read back by
  // nn::load_model (model/model_file.h). Written atomically, like every file here.
  void save(const std::string& path, SaveOptions options = {});
  bool stop_training = false;  // a callback sets it to end fit after this epoch

  // ---- checkpoints (model/checkpoint.cpp; the ModelCheckpoint callback calls save) ----
  // One .npz with the weights (as save_weights), the optimizer's state, the random
  // generators and fit's position; written atomically (temporary file, fsync, rename).
  // Called between two fits it records "about to start a fit": a resumed fit then goes on
  // as the second fit would have (shuffling from the global generator, if seed is 0).
  void save_checkpoint(const std::string& path);
  // Continue an interrupted run: compile the model as before, then
  //   model.resume_from("ckpt.npz");  model.fit(x, y, same options);
  // restores weights, optimizer state and Dropout generators at once, and makes the next
  // fit start at the saved epoch and batch, with the saved shuffle order and generator, so
  // it ends with exactly the weights the uninterrupted run would have had. A file that is
  // corrupt or belongs to another model is an nn::IoError and changes nothing.
  void resume_from(const std::string& checkpoint_path);
  const FitProgress& fit_progress() const { return progress_; }

  // ---- for tutorials and tests: the pieces of one step ----
  // forward runs every layer on its own, so layer_output(i) holds each layer's output.
  const Tensor& forward(const Tensor& x, bool training);  // x: (N, input...) -> (N, output...) (the first output)
  // One array per input -> one per output (referring to the model's buffers, valid until the next forward).
  TensorList forward(const TensorList& x, bool training);
  void backward(const Tensor& y_true);  // from the last forward's output; adds into grads
  // From every output's loss (weighted) and the added losses; y_true: one per output.
  void backward(const TensorList& y_true);
  // Backward from a given dL/d(output) (dy: (N, output...)); with dx not null, also
  // dL/d(input) into *dx, which needs set_input_gradient(true) (a nested model does this).
  void backward_from(const Tensor& dy, Tensor* dx);
  // Whether backward carries the gradient all the way to the input (off: it stops below the
  // lowest layer with weights, as nothing under it learns).
  void set_input_gradient(bool on);
  const std::vector<std::shared_ptr<Layer>>& layers();   // layers()[0] is the InputLayer
  Layer& get_layer(const std::string& name);
  size_t calls_of(const Layer& layer) const;  // how many times the model calls it (0 if not its layer)
  // A chain runs each layer once on the one before (layers() in order); false for a graph (model/graph.h).
  bool is_chain() const { return graph_ == nullptr; }
  // The graph a model that is not a chain runs from (its calls, their inputs, Keras's node
  // indices: model/graph.h); null for a chain. model.save and export_onnx read it.
  const Graph* graph() const { return graph_.get(); }
  const Tensor& layer_output(size_t index) const;        // activations of layers()[index]; nn::Error past the end
  // Layer fusion (model/layer_fusion.h): training steps (fit, train_on_batch) run a
  // BatchNormalization and the LeakyReLU after it as one pass over memory. The numbers are
  // exactly the same either way; fused is faster, but the two layers' own forward and
  // backward are not called in training steps. On by default; off in reference mode.
  void set_layer_fusion(bool on) { fusion_on_ = on; }
  std::vector<Param*> params();                          // every parameter, Keras order
  const std::string& name() const { return name_; }
  bool compiled() const { return !heads_.empty(); }
  losses::Loss& loss();  // the (first output's) loss
  float loss_weight(size_t output) const;  // compile's loss_weights (1 unless given)
  optimizers::Optimizer& optimizer();
  const std::vector<std::string>& metrics() const { return metrics_; }
  Shape input_shape();   // one sample, no batch (the first input's)
  Shape output_shape();  // one sample, no batch (the first output's)
  std::vector<Shape> input_shapes();   // every input's, in order
  std::vector<Shape> output_shapes();  // every output's, in order
  size_t num_inputs() const;
  size_t num_outputs() const;

  // ---- profiling: where the time of a training step goes ----
  // With set_profile(true), forward and backward time every layer's call (and the part of
  // it spent in matrix multiplies), and each training step also times the loss, the NaN
  // guard, the optimizer step and gathering the batch; profile_report() prints
  // the totals. Off (the default) it costs one untaken branch per layer call.
  // Turning it on (or reset_profile()) starts from zero.
  struct LayerTiming {
    std::string name, type;
    double forward_seconds = 0, backward_seconds = 0;  // summed over every call
    // Of those, the time in the multiplies the layer called itself (kernels/gemm.h,
    // gemm_seconds: a convolution's per-image multiplies are not split out).
    double forward_multiply_seconds = 0, backward_multiply_seconds = 0;
    std::string fused_into;  // the layer whose fused step did this one's work (layer_fusion.h), if any
  };
  struct Profile {
    std::vector<LayerTiming> layers;  // layers()[1...] in order (the InputLayer does nothing)
    double loss_seconds = 0;          // loss value, accuracy count, loss gradient
    double guard_seconds = 0;         // the NaN guard's scan of every gradient (model/step_guard.h)
    double optimizer_seconds = 0;     // the optimizer's step
    double data_seconds = 0;          // gathering each batch's rows (fit, evaluate, predict)
    long forward_passes = 0;          // training and inference (evaluate, predict) alike
    long backward_passes = 0;
    long steps = 0;                   // optimizer steps
  };
  void set_profile(bool on);
  bool profiling() const { return profile_on_; }
  void reset_profile();
  const Profile& profile() const { return profile_; }
  // A table: per layer, milliseconds per forward and per backward pass and the share of
  // all the time measured; then the loss and the optimizer.
  std::string profile_report() const;

 protected:
  explicit Model(std::string name);  // for Sequential, which adds its layers itself
  // Takes the layer list (InputLayer first, every layer built) and prepares buffers.
  void set_layers(std::vector<std::shared_ptr<Layer>> layers);
  // Sequential builds lazily from the first data it sees; a built model checks nothing here.
  virtual void ensure_built(const Tensor& x);
  // Keras lists the InputLayer in a functional model's summary, not in a Sequential's.
  virtual bool show_input_layer_in_summary() const;
  bool built() const { return !layers_.empty(); }

 private:
  // One array per input of the right shape, one target per output, all with one N.
  void check_data(const TensorList& x, const TensorList* y, const char* where);  // model/data_checks.cpp
  std::string outputs_described() const;  // "2 outputs (kind, size)"
  // Every parameter as a "<layer>/<param>" entry, the .npz layout of save_weights.
  std::vector<NamedArray> weight_entries();
  // Pairs every parameter with its entry, checking names, types and shapes; throws an IoError
  // listing every mismatch (and changes nothing) when `entries` do not fit this model.
  // Entries under "checkpoint/" are not weights and are skipped. `hint` ends the message.
  std::vector<std::pair<Param*, const Tensor*>> match_weights(const std::vector<NamedArray>& entries,
                                                              const std::string& what,
                                                              const std::string& hint = kRebuildHint);
  static const char* const kRebuildHint;  // "build the model exactly as when it was saved..."
  friend std::unique_ptr<Model> load_model(const std::string& path);  // builds, then fills in weights and state
  // ---- the loss side (model/model_losses.cpp) ----
  void configure_loss_from_logits();
  // The loss of the last forward pass (model/loss_parts.h): each output's (from its logits
  // when the loss computes from them), weighted, plus what the layers added.
  BatchLoss batch_loss(const TensorList& y_true);  // y_true[k]: (N, output k...)
  // Each y[k] itself, or (for labels (N) and an (N, 1) output) a copy in expanded[k] shaped (N, 1).
  TensorList labels_for_outputs(const TensorList& y, std::vector<Tensor>& expanded);
  // Adds each output's correct predictions of the last forward pass into correct[k].
  void count_correct(const TensorList& y_true, std::vector<double>& correct) const;
  double count_correct(const Tensor& y_pred, const Tensor& y_true) const;  // (N, output...) both
  LogNames log_names() const;
  // The layers that add a loss (layers/layer.h, added_loss), in the order they run, inside
  // nested models too: what set_layers and set_graph record in added_losses_.
  void find_added_losses(std::vector<Layer*>& out) const;
  void record_added_losses();
  OutputLoss* logits_head(size_t output);  // the output's loss if it computes from the logits, else null

  // Sums over rows [begin, end) of x, y, in batches (model/loss_parts.h).
  LossTotals evaluate_rows(const TensorList& x, const TensorList& y, size_t begin, size_t end, int batch_size,
                           int verbose, const LogNames& names);
  struct StepResult {
    BatchLoss loss;       // from the forward pass, before any update
    std::string problem;  // empty when the update was applied; else what blew up
  };
  // One step on a batch: forward, loss, backward, guard, optimizer step. correct: per output.
  StepResult train_step(const TensorList& xb, const TensorList& yb, std::vector<double>* correct);
  StepGuard guard_;
  static const char* const kBlowUpCauses;  // the advice that follows a NaN/inf message

  std::string name_;
  std::vector<std::shared_ptr<Layer>> layers_;
  // A model that is not a chain runs from its graph (model/graph.h, graph_run.cpp); null for
  // a chain, which runs layers_ in order as below.
  std::shared_ptr<Graph> graph_;
  std::vector<Node> input_nodes_, output_nodes_;  // as given to the constructor (none for Sequential)
  std::shared_ptr<Layer> nested_;                 // this model inside another (operator())
  bool input_gradient_ = false;                   // set_input_gradient
  // The dx and logits flags this model set on the layers it runs. A layer object may be
  // run by two models (a decoder alone and inside an autoencoder), so each pass sets them
  // back first, if another model changed them.
  struct LayerFlags {
    Layer* layer;
    bool dx, logits;
  };
  std::vector<LayerFlags> flags_;
  void record_layer_flags();
  bool graph_is_sequential_like() const;           // summary.cpp: Keras's test for the "Connected to" column
  std::string connections(const Layer& layer) const;  // summary.cpp: that column's field
  void restore_layer_flags();
  void set_graph(std::shared_ptr<Graph> graph);
  void graph_forward(const TensorList& xs, bool training);  // xs: one per input
  void graph_backward(const TensorList& dys, Tensor* dx);  // from dL/d(output k); dx as backward_from
  std::vector<Tensor> outputs_;  // outputs_[i]: activations of layers_[i] (i >= 1)
  std::vector<Tensor> grads_;    // grads_[i]: dL/d(input of layers_[i])
  const Tensor* last_input_ = nullptr;
  const Tensor* chain_output_ = nullptr;  // a chain's output of the last forward pass
  const Tensor& output_value(size_t k) const;  // output k of the last forward pass
  // One per output, set by compile (model/loss_parts.h): its loss and weight, and, when the
  // loss computes from the logits, the output layer's z (configure_loss_from_logits).
  std::vector<OutputLoss> heads_;
  std::unique_ptr<optimizers::Optimizer> optimizer_;
  std::vector<std::string> metrics_;
  std::vector<std::string> output_names_;  // set_output_names; empty: the layers' names
  // The layers that add a loss, and which name (added_names_) each one's term is logged under.
  struct AddedLoss {
    Layer* layer;
    size_t name;
  };
  std::vector<AddedLoss> added_losses_;
  std::vector<std::string> added_names_;  // distinct, in the order the layers run
  // Layer fusion in training steps: fused_[i] runs layers_[i] and layers_[i + 1] as one
  // step (null when they have none); last_pass_fused_ when the last forward pass used
  // them (backward follows it).
  std::vector<std::unique_ptr<FusedStep>> fused_;
  bool fusion_on_ = true, last_pass_fused_ = false;
  void forward_pass(const TensorList& xs, bool training, bool fuse);  // outputs: output_value(k)
  bool fused_at(size_t i) const { return last_pass_fused_ && i < fused_.size() && fused_[i]; }
  // Where timed() adds a duration: nothing unless profiling; `multiply` (a layer's row
  // only) also gets the part spent in matrix multiplies.
  struct TimeSlot {
    double* seconds = nullptr;
    double* multiply = nullptr;
  };
  // Runs `call`, adding its duration to the slot's totals.
  template <class Call>
  void timed(TimeSlot slot, Call&& call);
  TimeSlot profile_slot(size_t layer, bool backward_pass);  // a layer's row
  TimeSlot profile_total(double Profile::*total);          // e.g. &Profile::loss_seconds
  std::vector<Tensor> batch_xs_, batch_ys_;  // reused gather buffers for fit/evaluate/predict, one per array
  bool profile_on_ = false;
  Profile profile_;
  FitProgress progress_;
  std::shared_ptr<const ResumePoint> resume_;  // set by resume_from, used by the next fit
};

template <class Call>
void Model::timed(TimeSlot slot, Call&& call) {
  if (!slot.seconds) return call();
  const double multiply_before = slot.multiply ? gemm_seconds() : 0.0;
  const auto t0 = std::chrono::steady_clock::now();
  call();
  *slot.seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (slot.multiply) *slot.multiply += gemm_seconds() - multiply_before;
}

}  // namespace nn
