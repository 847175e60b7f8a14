// Models with several inputs and outputs, and losses added by layers (model/loss_parts.h):
// a two-output fit lowering both losses, loss_weights weighing the parts (the total is the
// weighted sum; the gradients are those of the weighted total, by finite differences), two
// inputs gathered row for row, an added loss changing the gradient by exactly its
// derivative, History's keys, the errors, and the VAE of the book built the Keras way:
// weights files, checkpoints resumed bit for bit, 1 vs 2 threads, model files.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>

#include "model_gradcheck.h"
#include "nn.h"
#include "test_util.h"

using namespace nn;
namespace L = nn::layers;

namespace {

using nn_test::random_tensor;

// (n, k) one-hot rows of random classes.
Tensor one_hot(int n, int k, uint64_t seed) {
  Rng rng(seed);
  Tensor ids({n});
  for (float& v : ids) v = static_cast<float>(rng.below(static_cast<uint64_t>(k)));
  return data::to_categorical(ids, k);
}

using nn_test::same_bits;


// in(4) -> h = Dense(6, tanh) -> "kind": Dense(3, softmax), "size": Dense(1): a classifier
// and a regressor sharing a trunk.
std::unique_ptr<Model> two_heads() {
  Node in = L::Input({4});
  Node h = L::Dense(6, "tanh")(in);
  Node kind = L::Dense(3, "softmax")(h);
  Node size = L::Dense(1)(h);
  return std::make_unique<Model>(std::vector<Node>{in}, std::vector<Node>{kind, size}, "two_heads");
}

// The book's VAE in miniature, built as the tutorial builds it: the encoder's nodes are the
// VAE's (the encoder is not nested: its layers are used directly), the decoder is nested.
struct Vae {
  std::unique_ptr<Model> encoder, decoder, vae;
  L::Sampling* sampling = nullptr;
};

Vae make_vae(float kl_weight = 1.0f) {
  Vae v;
  Node enc_in = L::Input({6});
  Node h = L::Dense(5, "tanh")(enc_in);  // (tanh: a finite-difference step across relu's kink is off by design)
  L::Dense mean_layer(2), log_var_layer(2);
  mean_layer.set_name("z_mean");
  log_var_layer.set_name("z_log_var");
  Node z_mean = mean_layer(h), z_log_var = log_var_layer(h);
  Node z = L::Sampling({.kl_weight = kl_weight})({z_mean, z_log_var});
  v.encoder = std::make_unique<Model>(std::vector<Node>{enc_in}, std::vector<Node>{z_mean, z_log_var, z}, "encoder");
  Node dec_in = L::Input({2});
  Node out = L::Dense(6, "sigmoid")(L::Dense(5, "tanh")(dec_in));
  v.decoder = std::make_unique<Model>(dec_in, out, "decoder");
  v.vae = std::make_unique<Model>(enc_in, (*v.decoder)(z), "vae");
  v.sampling = dynamic_cast<L::Sampling*>(&v.vae->get_layer("sampling"));
  REQUIRE(v.sampling);
  return v;
}

}  // namespace

TEST_CASE("multi-output: fit lowers both losses; History names each part as Keras does") {
  reset_layer_names();
  set_seed(1);
  auto m = two_heads();
  CHECK(m->output_names() == std::vector<std::string>{"dense_1", "dense_2"});
  m->compile({losses::CategoricalCrossentropy(), losses::MeanSquaredError()}, optimizers::Adam(0.02f), {"accuracy"});
  const Tensor x = random_tensor({64, 4}, 2);
  Tensor kind({64, 3}), size({64, 1});
  for (int n = 0; n < 64; ++n) {  // learnable targets: the class of x0 + x1, and x2 - x3
    const float s = x[n * 4] + x[n * 4 + 1];
    kind[n * 3 + (s < -0.5f ? 0 : s < 0.5f ? 1 : 2)] = 1;
    size[n] = x[n * 4 + 2] - x[n * 4 + 3];
  }
  const Tensor xv = random_tensor({16, 4}, 3);
  Tensor kind_v = one_hot(16, 3, 4), size_v = random_tensor({16, 1}, 5);
  const History h = m->fit(x, {kind, size}, {.batch_size = 16, .epochs = 30, .validation_data = {xv, {kind_v, size_v}},
                                             .verbose = 0});
  std::vector<std::string> keys;
  for (auto& [k, v] : h.history) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"dense_1_accuracy", "dense_1_loss", "dense_2_accuracy", "dense_2_loss", "loss",
                                         "val_dense_1_accuracy", "val_dense_1_loss", "val_dense_2_accuracy",
                                         "val_dense_2_loss", "val_loss"});
  CHECK(m->metrics_names() == std::vector<std::string>{"loss", "dense_1_loss", "dense_2_loss", "dense_1_accuracy",
                                                        "dense_2_accuracy"});
  for (const char* part : {"dense_1_loss", "dense_2_loss"}) {
    INFO(part);
    CHECK(h[part].back() < 0.5f * h[part].front());
  }
  // loss = Σ parts (weights 1), each epoch
  for (int e = 0; e < h.epochs(); ++e)
    CHECK(h["loss"][e] == doctest::Approx(h["dense_1_loss"][e] + h["dense_2_loss"][e]).epsilon(1e-5));
  // the progress bar shows the same parts
  const std::string bar = ProgressBar::format_logs({{"loss", 1}, {"dense_1_loss", 0.5f}, {"val_dense_2_loss", 2}});
  CHECK(bar == " - loss: 1.0000 - dense_1_loss: 0.5000 - val_dense_2_loss: 2.0000");
  // predict_outputs: one tensor per output; predict says to use it
  const std::vector<Tensor> p = m->predict_outputs(xv);
  REQUIRE(p.size() == 2);
  CHECK(p[0].shape() == Shape{16, 3});
  CHECK(p[1].shape() == Shape{16, 1});
  CHECK_THROWS_WITH_AS(m->predict(xv), doctest::Contains("predict_outputs"), Error);
  // evaluate: in metrics_names order; the same numbers as predict_outputs give
  const std::vector<float> r = m->evaluate(xv, {kind_v, size_v}, 16, 0);
  REQUIRE(r.size() == 5);
  CHECK(r[1] == doctest::Approx(losses::CategoricalCrossentropy().value(p[0], kind_v)).epsilon(1e-6));
  CHECK(r[2] == doctest::Approx(losses::MeanSquaredError().value(p[1], size_v)).epsilon(1e-6));
  CHECK(h["val_loss"].back() == doctest::Approx(r[0]).epsilon(1e-6));
  // names set by hand, as Keras 2's model.output_names = [...]
  m->set_output_names({"kind", "size"});
  CHECK(m->metrics_names() == std::vector<std::string>{"loss", "kind_loss", "size_loss", "kind_accuracy", "size_accuracy"});
}

TEST_CASE("multi-output: loss_weights weigh the parts, and the gradients are the weighted total's") {
  reset_layer_names();
  set_seed(6);
  auto m = two_heads();
  m->compile({losses::CategoricalCrossentropy(), losses::MeanSquaredError()}, optimizers::SGD(0.1f), {},
             {.loss_weights = {0.3f, 2.5f}});
  CHECK(m->loss_weight(0) == 0.3f);
  CHECK(m->loss_weight(1) == 2.5f);
  const Tensor x = random_tensor({5, 4}, 7), kind = one_hot(5, 3, 8), size = random_tensor({5, 1}, 9);
  const std::vector<float> r = m->evaluate(x, {kind, size}, 5, 0);
  REQUIRE(r.size() == 3);
  CHECK(r[0] == doctest::Approx(0.3 * r[1] + 2.5 * r[2]).epsilon(1e-6));
  nn_test::check_gradients(*m, x, {kind, size});
  // train_on_batch returns that same total, from before its update
  CHECK(m->train_on_batch(x, {kind, size}) == doctest::Approx(r[0]).epsilon(1e-6));
  // one loss for both outputs is fine too: each output gets its own copy of it
  m->compile(losses::MeanSquaredError(), optimizers::SGD(0.1f));
  const Tensor kind_as_numbers = kind;
  CHECK(m->evaluate(x, {kind_as_numbers, size}, 5, 0).size() == 3);
}

TEST_CASE("multi-input: the same rows of every array, shuffled, as one input of both joined") {
  // A model reading two inputs it concatenates must train exactly as one reading the joined
  // input: only if fit gathers the same rows from both arrays.
  auto train = [](bool two_inputs) {
    reset_layer_names();
    set_seed(12);
    const Tensor a = random_tensor({40, 3}, 13), b = random_tensor({40, 2}, 14), y = one_hot(40, 4, 15);
    Tensor joined({40, 5});
    for (int n = 0; n < 40; ++n)
      for (int j = 0; j < 5; ++j) joined[n * 5 + j] = j < 3 ? a[n * 3 + j] : b[n * 2 + j - 3];
    std::unique_ptr<Model> m;
    if (two_inputs) {
      Node ia = L::Input({3}), ib = L::Input({2});
      m = std::make_unique<Model>(std::vector<Node>{ia, ib},
                                  std::vector<Node>{L::Dense(4, "softmax")(L::Concatenate()({ia, ib}))});
    } else {
      Node in = L::Input({5});
      m = std::make_unique<Model>(in, L::Dense(4, "softmax")(in));
    }
    m->compile("categorical_crossentropy", optimizers::Adam(0.05f), {"accuracy"});
    const History h = two_inputs ? m->fit({a, b}, y, {.batch_size = 8, .epochs = 3, .verbose = 0, .seed = 3})
                                 : m->fit(joined, y, {.batch_size = 8, .epochs = 3, .verbose = 0, .seed = 3});
    const Tensor p = two_inputs ? m->predict({a, b}) : m->predict(joined);
    return std::make_pair(m->get_weights(), p);
  };
  const auto [w2, p2] = train(true);
  const auto [w1, p1] = train(false);
  CHECK(same_bits(w1, w2));
  CHECK(same_bits(p1, p2));
}

TEST_CASE("multi-output: an added loss changes the gradient by exactly the term's derivative") {
  // in(3) -> z_mean = Dense(2), z_log_var = Dense(2) -> Sampling -> Dense(2): the KL term's
  // gradient reaches the two Dense layers below Sampling. With the same ε, the gradients with
  // kl_weight w minus those with w = 0 are d(KL)/dθ, which for z_mean's kernel is
  // xᵀ · (w μ / N), for z_log_var's xᵀ · (w (exp(log σ²) - 1) / 2N).
  const Tensor x = random_tensor({5, 3}, 21), y = random_tensor({5, 2}, 22);
  auto gradients = [&](float w, Tensor* mu, Tensor* lv, float* kl) {
    reset_layer_names();
    set_seed(23);
    Node in = L::Input({3});
    Node m = L::Dense(2)(in), v = L::Dense(2)(in);
    Node z = L::Sampling({.kl_weight = w})({m, v});
    Model model(in, L::Dense(2)(z));
    model.compile(losses::MeanSquaredError(), optimizers::SGD(0.1f));
    model.forward(x, true);
    model.backward(y);
    *mu = model.layer_output(1);  // z_mean, z_log_var: the first calls' outputs
    *lv = model.layer_output(2);
    *kl = model.get_layer("sampling").added_loss();
    std::vector<Tensor> g;
    for (Param* p : model.params()) g.push_back(p->grad);
    return g;
  };
  Tensor mu, lv, mu0, lv0;
  float kl = 0, kl0 = 0;
  const std::vector<Tensor> with = gradients(0.8f, &mu, &lv, &kl), without = gradients(0.0f, &mu0, &lv0, &kl0);
  CHECK(same_bits(mu, mu0));
  CHECK(kl0 == 0);
  CHECK(kl > 0);
  REQUIRE(with.size() == 6);  // dense (kernel, bias), dense_1, dense_2
  const int n = 5;
  for (int layer = 0; layer < 2; ++layer) {
    const Tensor& act = layer == 0 ? mu : lv;
    auto term = [&](int row, int k) {  // d(KL)/d(pre-activation) for this head
      const float a = act[row * 2 + k];
      return layer == 0 ? 0.8 * a / n : 0.8 * 0.5 * (std::exp(static_cast<double>(a)) - 1) / n;
    };
    for (int i = 0; i < 3; ++i)
      for (int k = 0; k < 2; ++k) {
        double expected = 0;
        for (int row = 0; row < n; ++row) expected += x[row * 3 + i] * term(row, k);
        const float diff = with[2 * layer][i * 2 + k] - without[2 * layer][i * 2 + k];
        CHECK(diff == doctest::Approx(expected).epsilon(1e-4));
      }
    for (int k = 0; k < 2; ++k) {
      double expected = 0;
      for (int row = 0; row < n; ++row) expected += term(row, k);
      CHECK(with[2 * layer + 1][k] - without[2 * layer + 1][k] == doctest::Approx(expected).epsilon(1e-4));
    }
  }
  CHECK(same_bits(with[4], without[4]));  // the Dense above Sampling sees no KL term
  CHECK(same_bits(with[5], without[5]));
}

TEST_CASE("VAE: Model(encoder_input, decoder(z)) trains on loss, reconstruction_loss and kl_loss") {
  reset_layer_names();
  set_seed(31);
  Vae v = make_vae();
  CHECK(v.encoder->num_outputs() == 3);
  CHECK(v.vae->output_names() == std::vector<std::string>{"decoder"});
  v.vae->set_output_names({"reconstruction"});
  v.vae->compile(losses::BinaryCrossentropy(), optimizers::Adam(0.01f), {}, {.loss_weights = {50}});
  CHECK(v.vae->metrics_names() == std::vector<std::string>{"loss", "reconstruction_loss", "kl_loss"});
  const Tensor x = random_tensor({48, 6}, 32, 0, 1), x_val = random_tensor({16, 6}, 33, 0, 1);
  const History h = v.vae->fit(x, x, {.batch_size = 16, .epochs = 6, .validation_data = {x_val, x_val}, .verbose = 0});
  std::vector<std::string> keys;
  for (auto& [k, vals] : h.history) keys.push_back(k);
  CHECK(keys == std::vector<std::string>{"kl_loss", "loss", "reconstruction_loss", "val_kl_loss", "val_loss",
                                         "val_reconstruction_loss"});
  for (int e = 0; e < h.epochs(); ++e) {
    CHECK(h["loss"][e] == doctest::Approx(50 * h["reconstruction_loss"][e] + h["kl_loss"][e]).epsilon(1e-5));
    CHECK(h["val_loss"][e] == doctest::Approx(50 * h["val_reconstruction_loss"][e] + h["val_kl_loss"][e]).epsilon(1e-5));
    CHECK(h["kl_loss"][e] > 0);
  }
  CHECK(h["loss"].back() < h["loss"].front());
  // evaluate counts the added loss too, as Keras's does
  const std::vector<float> r = v.vae->evaluate(x_val, x_val, 16, 0);
  REQUIRE(r.size() == 3);
  CHECK(r[2] > 0);
  CHECK(r[0] == doctest::Approx(50 * r[1] + r[2]).epsilon(1e-5));
  // the encoder shares the VAE's layers: its three outputs after training
  const std::vector<Tensor> z = v.encoder->predict_outputs(x_val);
  REQUIRE(z.size() == 3);
  for (const Tensor& t : z) CHECK(t.shape() == Shape{16, 2});
  // z = z_mean + exp(z_log_var / 2) * ε, with the ε Sampling drew last
  const Tensor& eps = v.sampling->noise();
  for (size_t i = 0; i < z[2].size(); ++i)
    CHECK(z[2][i] == doctest::Approx(z[0][i] + std::exp(0.5f * z[1][i]) * eps[i]).epsilon(1e-5));
  // and the decoder alone draws from a point of the latent plane
  CHECK(v.decoder->predict(Tensor({1, 2})).shape() == Shape{1, 6});
  // the gradients of the whole VAE (through the nested decoder, the KL term and z) by
  // finite differences, with ε held fixed
  const RngState st = v.sampling->random_generator()->state();
  const Tensor xs = x.slice_rows(0, 4);
  nn_test::check_gradients(*v.vae, xs, xs, [&] { v.sampling->random_generator()->set_state(st); });
}

TEST_CASE("VAE with the encoder nested: a layer inside a nested model adds its loss too") {
  reset_layer_names();
  set_seed(41);
  Node enc_in = L::Input({6});
  Node h = L::Dense(4, "tanh")(enc_in);
  Node z = L::Sampling({.kl_weight = 0.5f})({L::Dense(2)(h), L::Dense(2)(h)});
  Model encoder(enc_in, z, "encoder");
  Node dec_in = L::Input({2});
  Model decoder(dec_in, L::Dense(6, "sigmoid")(dec_in), "decoder");
  Node outer_in = L::Input({6});
  Model vae(outer_in, decoder(encoder(outer_in)), "vae");
  vae.compile(losses::MeanSquaredError(), optimizers::Adam(0.01f));
  CHECK(vae.metrics_names() == std::vector<std::string>{"loss", "decoder_loss", "kl_loss"});
  const Tensor x = random_tensor({4, 6}, 42, 0, 1);
  auto* sampling = &encoder.get_layer("sampling");
  const RngState st = sampling->random_generator()->state();
  nn_test::check_gradients(vae, x, x, [&] { sampling->random_generator()->set_state(st); });
  const std::vector<float> r = vae.evaluate(x, x, 4, 0);
  CHECK(r[0] == doctest::Approx(r[1] + r[2]).epsilon(1e-6));
  CHECK(r[2] == sampling->added_loss());
  // a checkpoint saves the nested Sampling's generator, so a resumed run draws the same ε
  nn_test::TempDir dir("nested_sampling");
  vae.save_checkpoint(dir.str() + "/c.npz");
  bool saved = false;
  for (const NamedArray& e : read_npz(dir.str() + "/c.npz")) saved = saved || e.name == "checkpoint/rng/sampling/state";
  CHECK(saved);
  const RngState now = sampling->random_generator()->state();
  for (int i = 0; i < 3; ++i) sampling->random_generator()->next_u64();
  vae.resume_from(dir.str() + "/c.npz");
  CHECK(sampling->random_generator()->state().words[0] == now.words[0]);
}

TEST_CASE("multi-output: wrong numbers of arrays, targets, losses or weights, and mismatched N, are clear errors") {
  reset_layer_names();
  auto m = two_heads();
  const Tensor x = random_tensor({6, 4}, 51), kind = one_hot(6, 3, 52), size = random_tensor({6, 1}, 53);
  CHECK_THROWS_WITH_AS(m->fit(x, kind), doctest::Contains("not compiled"), Error);
  CHECK_THROWS_WITH_AS(m->compile({losses::MeanSquaredError(), losses::MeanSquaredError(), losses::MeanSquaredError()},
                                  optimizers::SGD()),
                       doctest::Contains("has 2 outputs (dense_1, dense_2) but 3 losses were given"), ValueError);
  CHECK_THROWS_WITH_AS(m->compile(losses::MeanSquaredError(), optimizers::SGD(), {}, {.loss_weights = {1}}),
                       doctest::Contains("1 loss_weights were given; give one weight per output"), ValueError);
  CHECK_THROWS_WITH_AS(m->compile(losses::MeanSquaredError(), optimizers::SGD(), {}, {.loss_weights = {1, INFINITY}}),
                       doctest::Contains("finite"), ValueError);
  m->compile({losses::CategoricalCrossentropy(), losses::MeanSquaredError()}, optimizers::SGD());
  CHECK_THROWS_WITH_AS(m->fit(x, kind, {.verbose = 0}),
                       doctest::Contains("has 2 outputs (dense_1, dense_2) but got 1 target array"), ValueError);
  CHECK_THROWS_WITH_AS(m->fit({x, x}, {kind, size}, {.verbose = 0}), doctest::Contains("has 1 input but got 2 arrays"),
                       ValueError);
  const Tensor short_size = random_tensor({5, 1}, 54);
  CHECK_THROWS_WITH_AS(m->fit(x, {kind, short_size}, {.verbose = 0}),
                       doctest::Contains("x has 6 samples but the target of output 1 (\"dense_2\") has 5"), ShapeError);
  CHECK_THROWS_WITH_AS(m->evaluate(x, {size, kind}, 32, 0),
                       doctest::Contains("the model's output \"dense_1\" has shape (N, 3) but the target of output 0"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(m->train_on_batch(x, {kind}), doctest::Contains("1 target array"), ValueError);
  const Tensor x_val = random_tensor({3, 4}, 55);
  CHECK_THROWS_WITH_AS(m->fit(x, {kind, size}, {.validation_data = {x_val, kind}, .verbose = 0}),
                       doctest::Contains("fit (validation_data)"), ValueError);
  CHECK_THROWS_WITH_AS(m->set_output_names({"a"}), doctest::Contains("give 2 names"), ValueError);
  CHECK_THROWS_WITH_AS(m->set_output_names({"a", "a"}), doctest::Contains("given twice"), ValueError);
  // two inputs of different N
  Node a = L::Input({2}), b = L::Input({2});
  Model two({a, b}, {L::Add()({a, b})});
  const Tensor xa = random_tensor({4, 2}, 56), xb = random_tensor({3, 2}, 57);
  CHECK_THROWS_WITH_AS(two.predict({xa, xb}),
                       doctest::Contains("but input 0 has 4 and input 1 (\"input_"), ShapeError);
  CHECK_THROWS_WITH_AS(two.predict(xa), doctest::Contains("has 2 inputs but got 1 array"), ValueError);
  // a model with several outputs is not called on a node; the message says what to do
  Node in = L::Input({4});
  CHECK_THROWS_WITH_AS((*m)(in), doctest::Contains("Build the outer model from this model's own nodes"), Error);
  // an output named like an added loss
  reset_layer_names();
  Node i2 = L::Input({2});
  Node zz = L::Sampling()({L::Dense(2)(i2), L::Dense(2)(i2)});
  Model clash(i2, L::Dense(2)(zz));
  clash.set_output_names({"kl"});
  CHECK_THROWS_WITH_AS(clash.compile("mse", optimizers::SGD()), doctest::Contains("\"kl_loss\""), ValueError);
}

TEST_CASE("multi-output and VAE: weights files, checkpoints resumed bit for bit, 1 vs 2 threads") {
  nn_test::TempDir dir("multi_output");
  const Tensor x = random_tensor({40, 4}, 61), kind = one_hot(40, 3, 62), size = random_tensor({40, 1}, 63);
  const Tensor xv = random_tensor({40, 6}, 64, 0, 1);
  // build: a fresh, compiled model; data: fit's arrays. ckpt_out: a checkpoint after every
  // 3rd batch (the last one mid-epoch), then the run goes on; ckpt_in: resume from it.
  struct Run {
    std::vector<Tensor> weights;
    History history;
  };
  auto run = [&](bool vae, int threads, const std::string& ckpt_in, const std::string& ckpt_out) {
    set_num_threads(threads);
    reset_layer_names();
    set_seed(65);
    Vae v;
    std::unique_ptr<Model> heads;
    Model* m = nullptr;
    if (vae) {
      v = make_vae(0.1f);
      m = v.vae.get();
      m->compile(losses::BinaryCrossentropy(), optimizers::Adam(0.01f), {}, {.loss_weights = {5}});
    } else {
      heads = two_heads();
      m = heads.get();
      m->compile({losses::CategoricalCrossentropy(), losses::MeanSquaredError()}, optimizers::Adam(0.01f),
                 {"accuracy"}, {.loss_weights = {1, 0.5f}});
    }
    if (!ckpt_in.empty()) m->resume_from(ckpt_in);
    std::vector<std::shared_ptr<Callback>> callbacks;
    if (!ckpt_out.empty()) callbacks.push_back(std::make_shared<ModelCheckpoint>(ckpt_out, ModelCheckpointOptions{.save_freq = 7}));
    const FitOptions o{.batch_size = 6, .epochs = 3, .validation_split = 0.25f, .verbose = 0, .callbacks = callbacks,
                       .seed = 9};
    Run r;
    r.history = vae ? m->fit(xv, xv, o) : m->fit(x, {kind, size}, o);
    r.weights = m->get_weights();
    if (vae) r.weights.push_back(Tensor({1}, static_cast<float>(v.sampling->random_generator()->next_u64() % 1000)));
    return r;
  };
  const int saved = get_num_threads();
  for (bool vae : {false, true}) {
    INFO((vae ? "the VAE" : "two heads"));
    const std::string ckpt = dir.str() + (vae ? "/vae.npz" : "/heads.npz");
    const Run one = run(vae, 1, "", ckpt);  // 5 batches an epoch: the last save is at batch 14, mid-epoch 3
    const Run two = run(vae, 2, "", "");
    const Run resumed = run(vae, 1, ckpt, "");
    CHECK(same_bits(one.weights, two.weights));
    CHECK(same_bits(one.weights, resumed.weights));
    CHECK(one.history.history == resumed.history.history);  // the parts' running sums were saved too
    CHECK(one.history.history.size() == (vae ? 6u : 10u));
  }
  set_num_threads(saved);
  // save_weights / load_weights of the VAE: the nested decoder's and the encoder's weights by name
  reset_layer_names();
  set_seed(66);
  Vae v = make_vae();
  v.vae->save_weights(dir.str() + "/w.npz");
  const std::vector<Tensor> before = v.vae->get_weights();
  for (Param* p : v.vae->params()) p->value.fill(0.5f);
  v.vae->load_weights(dir.str() + "/w.npz");
  CHECK(same_bits(v.vae->get_weights(), before));
  // (the VAE's file holds the decoder's weights too: not the encoder's file, and it says so)
  CHECK_THROWS_WITH_AS(v.encoder->load_weights(dir.str() + "/w.npz"), doctest::Contains("matches no layer"), IoError);
}

TEST_CASE("multi-output and VAE: model.save and load_model rebuild them, Sampling included") {
  nn_test::TempDir dir("multi_output_file");
  SUBCASE("two heads: the same outputs; include_optimizer says what it cannot hold yet") {
    reset_layer_names();
    set_seed(71);
    auto m = two_heads();
    m->save(dir.str() + "/h.nnz");
    auto back = load_model(dir.str() + "/h.nnz");
    CHECK(back->num_outputs() == 2);
    CHECK(back->output_names() == m->output_names());
    const Tensor x = random_tensor({5, 4}, 72);
    CHECK(same_bits(back->predict_outputs(x), m->predict_outputs(x)));
    m->compile({losses::CategoricalCrossentropy(), losses::MeanSquaredError()}, optimizers::Adam());
    CHECK_THROWS_WITH_AS(m->save(dir.str() + "/h2.nnz", {.include_optimizer = true}),
                         doctest::Contains("a loss per output or with loss_weights"), Error);
  }
  SUBCASE("the VAE's encoder (three outputs, Sampling) and, compiled with one loss, the VAE itself") {
    reset_layer_names();
    set_seed(73);
    Vae v = make_vae(0.2f);
    const Tensor x = random_tensor({8, 6}, 74, 0, 1);
    v.encoder->save(dir.str() + "/enc.nnz");
    auto enc = load_model(dir.str() + "/enc.nnz");
    auto& sampling = dynamic_cast<L::Sampling&>(enc->get_layer("sampling"));
    CHECK(sampling.kl_weight() == 0.2f);
    sampling.random_generator()->set_state(v.sampling->random_generator()->state());
    CHECK(same_bits(enc->predict_outputs(x), v.encoder->predict_outputs(x)));
    // include_optimizer carries Sampling's generator: one more step lands on the same weights
    // (a VAE without a nested decoder here: saving nested models is model_file.cpp's next step)
    reset_layer_names();
    Node in = L::Input({6});
    Node h = L::Dense(4, "tanh")(in);
    Node z = L::Sampling({.kl_weight = 0.3f})({L::Dense(2)(h), L::Dense(2)(h)});
    Model flat(in, L::Dense(6, "sigmoid")(z), "flat_vae");
    flat.compile(losses::BinaryCrossentropy(), optimizers::Adam(0.01f));
    flat.train_on_batch(x, x);
    flat.save(dir.str() + "/flat.nnz", {.include_optimizer = true});
    auto loaded = load_model(dir.str() + "/flat.nnz");
    CHECK(loaded->metrics_names() == std::vector<std::string>{"loss", "dense_3_loss", "kl_loss"});
    CHECK(flat.train_on_batch(x, x) == loaded->train_on_batch(x, x));
    CHECK(same_bits(loaded->get_weights(), flat.get_weights()));
    // the VAE nests its decoder: saved once model files hold nested models
    v.vae->compile(losses::BinaryCrossentropy(), optimizers::Adam(0.01f));
    try {
      v.vae->save(dir.str() + "/vae.nnz", {.include_optimizer = true});
    } catch (const Error& e) {
      CHECK_MESSAGE(std::string(e.what()).find("nested") != std::string::npos, e.what());
      return;
    }
    auto vae = load_model(dir.str() + "/vae.nnz");
    CHECK(vae->metrics_names() == v.vae->metrics_names());
    v.vae->train_on_batch(x, x);
    vae->train_on_batch(x, x);
    CHECK(same_bits(vae->get_weights(), v.vae->get_weights()));
  }
}

TEST_CASE("the NaN guard on graphs: a bad batch stops fit before it is applied (two heads, the VAE)") {
  auto all_finite = [](Model& m) {
    for (const Tensor& w : m.get_weights())
      for (float v : w)
        if (!std::isfinite(v)) return false;
    return true;
  };
  SUBCASE("a two-output model: NaN data is refused at once, an overflowing step stops fit") {
    reset_layer_names();
    set_seed(3);
    auto m = two_heads();
    m->compile({losses::CategoricalCrossentropy(), losses::MeanSquaredError()}, optimizers::SGD(1e30f));
    Tensor x = random_tensor({8, 4}, 1), kind({8, 3}), size = random_tensor({8, 1}, 2);
    for (int i = 0; i < 8; ++i) kind[3 * i + i % 3] = 1;
    const std::vector<Tensor> before = m->get_weights();
    Tensor bad = x;
    bad[5] = NAN;
    CHECK_THROWS_WITH_AS(m->fit(bad, {kind, size}, {.verbose = 0}), doctest::Contains("NaN"), nn::ValueError);
    CHECK(same_bits(before, m->get_weights()));
    // A step of 1e30 makes the next batch's loss overflow: fit stops there, keeping the
    // weights of the last good step, and with .on_nan = "throw" says so by throwing.
    const History h = m->fit(x, {kind, size}, {.batch_size = 4, .epochs = 3, .shuffle = false, .verbose = 0});
    CHECK(!h.stop_reason.empty());
    CHECK(all_finite(*m));
    CHECK_THROWS_AS(m->fit(x, {kind, size}, {.batch_size = 4, .shuffle = false, .verbose = 0, .on_nan = "throw"}),
                    nn::ValueError);
    CHECK(all_finite(*m));
  }
  SUBCASE("the VAE blown up by a huge learning rate stops with its last good weights") {
    reset_layer_names();
    set_seed(4);
    Vae v = make_vae();
    v.vae->compile(losses::BinaryCrossentropy(), optimizers::Adam(1e30f));
    const Tensor x = random_tensor({8, 6}, 3, 0.0f, 1.0f);
    const History h = v.vae->fit(x, x, {.batch_size = 4, .epochs = 5, .verbose = 0});
    CHECK_MESSAGE(!h.stop_reason.empty(), "a step of 1e30 should overflow the KL term or the loss");
    CHECK(all_finite(*v.vae));  // the batch that overflowed was not applied
  }
}
