// Models that are graphs (model/graph.h): hand-computed execution through Add and
// Concatenate, gradients through a diamond (a node read by several layers) against finite
// differences, a layer called twice sharing its weights, save/load and checkpoint round
// trips, and clear errors for graphs that are not models.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <sstream>

#include "chapter_models.h"
#include "model/model_config.h"
#include "model_gradcheck.h"
#include "nn.h"
#include "test_util.h"

using namespace nn;
namespace L = nn::layers;

namespace {

void set_param(Layer& layer, const std::string& name, std::vector<float> values) {
  for (Param* p : layer.params())
    if (p->name == name) {
      REQUIRE(p->value.size() == values.size());
      std::copy(values.begin(), values.end(), p->value.begin());
      return;
    }
  FAIL("no param " << name);
}

using nn_test::random_tensor;

using nn_test::same_bits;


// in(3) -> h = Dense(4, tanh); p = Dense(2)(h); q = Dense(2, tanh)(h); s = Add(p, q);
// out = Dense(1)(Concatenate(s, h)): h is read by three layers.
std::unique_ptr<Model> diamond() {
  Node in = L::Input({3});
  Node h = L::Dense(4, "tanh")(in);
  Node p = L::Dense(2)(h);
  Node q = L::Dense(2, "tanh")(h);
  Node s = L::Add()({p, q});
  Node c = L::Concatenate()({s, h});
  Node out = L::Dense(1)(c);
  return std::make_unique<Model>(std::vector<Node>{in}, std::vector<Node>{out}, "diamond");
}

}  // namespace

TEST_CASE("graph: a residual sum and a concatenation by hand") {
  reset_layer_names();
  Node in = L::Input({2});
  L::Dense a(2), b(2);
  Node ya = a(in), yb = b(in);
  Node s = L::Add()({ya, yb});
  Node c = L::Concatenate()({s, in});
  Model m(in, c);
  set_param(m.get_layer("dense"), "kernel", {1, 0, 0, 1});    // identity
  set_param(m.get_layer("dense"), "bias", {0, 0});
  set_param(m.get_layer("dense_1"), "kernel", {2, 0, 0, 3});  // diag(2, 3)
  set_param(m.get_layer("dense_1"), "bias", {0.5f, -1});
  Tensor x({1, 2}, {1, 2});
  // a: (1, 2); b: (2·1 + 0.5, 3·2 - 1) = (2.5, 5); sum (3.5, 7); then the input (1, 2)
  const Tensor y = m.predict(x);
  CHECK(y.shape() == Shape{1, 4});
  CHECK(std::vector<float>(y.begin(), y.end()) == std::vector<float>{3.5f, 7, 1, 2});
  CHECK(m.output_shape() == Shape{4});
  CHECK(m.layers().size() == 5);  // input, dense, dense_1, add, concatenate: in call order
  CHECK(m.layers()[0]->type() == "InputLayer");
}

TEST_CASE("graph: gradients through a diamond match finite differences") {
  set_seed(3);
  auto m = diamond();
  m->compile(losses::MeanSquaredError(), optimizers::SGD(0.1f));
  const Tensor x = random_tensor({5, 3}, 1), y = random_tensor({5, 1}, 2);
  nn_test::check_gradients(*m, x, y);
  // and a training step lowers the loss
  const float before = m->evaluate(x, y, 32, 0)[0];
  for (int i = 0; i < 20; ++i) m->train_on_batch(x, y);
  CHECK(m->evaluate(x, y, 32, 0)[0] < before);
}

TEST_CASE("graph: a layer called twice is one layer with shared weights") {
  reset_layer_names();
  set_seed(4);
  Node in = L::Input({4});
  L::Dense d(4, "tanh");
  Node h = d(in);
  h = d(h);
  Node out = L::Dense(2)(h);
  Model m(in, out);
  CHECK(m.params().size() == 4);  // d's kernel and bias once, then the last Dense's
  size_t count = 0;
  for (Param* p : m.params()) count += p->value.size();
  CHECK(count == 30);  // 4·4 + 4 + 4·2 + 2, as the example says
  CHECK(m.layers().size() == 3);
  // The second call really uses the same weights: y = W2ᵀ tanh(Wᵀ tanh(Wᵀx + b) + b) + b2.
  Layer& dense = m.get_layer("dense");
  const Tensor x = random_tensor({3, 4}, 5);
  const Tensor& W = dense.params()[0]->value;
  const Tensor& bias = dense.params()[1]->value;
  auto apply = [&](const Tensor& v) {
    Tensor r({3, 4});
    for (int n = 0; n < 3; ++n)
      for (int k = 0; k < 4; ++k) {
        double s = bias[k];
        for (int j = 0; j < 4; ++j) s += v[n * 4 + j] * W[j * 4 + k];
        r[n * 4 + k] = static_cast<float>(std::tanh(s));
      }
    return r;
  };
  const Tensor twice = apply(apply(x));
  m.forward(x, false);
  const Tensor& h2 = m.layer_output(1);  // the first call's output
  const Tensor once = apply(x);
  for (size_t i = 0; i < once.size(); ++i) CHECK(h2[i] == doctest::Approx(once[i]).epsilon(1e-5));
  Layer& last = m.get_layer("dense_1");
  const Tensor y = m.predict(x);
  for (int n = 0; n < 3; ++n)
    for (int k = 0; k < 2; ++k) {
      double s = last.params()[1]->value[k];
      for (int j = 0; j < 4; ++j) s += twice[n * 4 + j] * last.params()[0]->value[j * 2 + k];
      CHECK(y[n * 2 + k] == doctest::Approx(s).epsilon(1e-5));
    }
  // Gradients from both calls are added (finite differences see both).
  m.compile(losses::MeanSquaredError(), optimizers::SGD(0.1f));
  const Tensor target = random_tensor({3, 2}, 6);
  nn_test::check_gradients(m, x, target);
  // And weights files work: one "dense/kernel", no name clash.
  nn_test::TempDir dir("graph");
  m.save_weights(dir.str() + "/w.npz");
  const Tensor before = m.predict(x);
  for (Param* p : m.params()) p->value.fill(0.0f);
  m.load_weights(dir.str() + "/w.npz");
  CHECK(same_bits(m.predict(x), before));
}

TEST_CASE("graph: a copy of a layer object is a new layer; a temporary is called once") {
  Node in = L::Input({3});
  L::Dense d(3);
  L::Dense copy = d;  // not yet called: the copy is its own layer
  Node a = d(in), b = copy(in);
  CHECK(&a.layer() != &b.layer());
  Node c = d(in);
  CHECK(&a.layer() == &c.layer());
}

TEST_CASE("graph: training is deterministic, on 1 and 2 threads alike, and resumes from a checkpoint") {
  // ckpt_out: save a checkpoint after the first fit, then fit `epochs` again (in-process);
  // ckpt_in: a fresh model resumes from it and fits `epochs`: the two must agree.
  auto train = [](int threads, int epochs, const std::string& ckpt_in, const std::string& ckpt_out) {
    set_num_threads(threads);
    reset_layer_names();
    set_seed(11);
    auto m = diamond();
    m->compile(losses::MeanSquaredError(), optimizers::Adam(0.01f));
    const Tensor x = random_tensor({40, 3}, 7), y = random_tensor({40, 1}, 8);
    if (!ckpt_in.empty()) m->resume_from(ckpt_in);
    m->fit(x, y, {.batch_size = 8, .epochs = epochs, .verbose = 0, .seed = 5});
    if (!ckpt_out.empty()) {
      m->save_checkpoint(ckpt_out);
      m->fit(x, y, {.batch_size = 8, .epochs = epochs, .verbose = 0, .seed = 5});
    }
    return m->get_weights();
  };
  nn_test::TempDir dir("graph_ckpt");
  const int saved = get_num_threads();
  const auto one = train(1, 2, "", "");
  const auto two = train(2, 2, "", "");
  const auto continued = train(1, 1, "", dir.str() + "/c.npz");
  const auto resumed = train(1, 1, dir.str() + "/c.npz", "");
  set_num_threads(saved);
  REQUIRE(one.size() == two.size());
  for (size_t i = 0; i < one.size(); ++i) {
    CHECK(same_bits(one[i], two[i]));
    CHECK(same_bits(continued[i], resumed[i]));
    CHECK(!same_bits(one[i], resumed[i]));  // (3 epochs in all, not 2: the test can fail)
  }
}

TEST_CASE("graph: outputs not computed from the inputs, or inputs not used, are clear errors") {
  Node a = L::Input({2}), b = L::Input({2});
  Node s = L::Add()({a, b});
  Node out = L::Dense(1)(s);
  CHECK_THROWS_WITH_AS(Model(a, out), doctest::Contains("not among the model's inputs"), Error);
  Node only_a = L::Dense(1)(a);
  CHECK_THROWS_WITH_AS(Model(std::vector<Node>{a, b}, std::vector<Node>{only_a}),
                       doctest::Contains("is not used by any output"), Error);
  CHECK_THROWS_WITH_AS(Model(std::vector<Node>{a, a}, std::vector<Node>{only_a}), doctest::Contains("given twice"),
                       Error);
  CHECK_THROWS_WITH_AS(Model(std::vector<Node>{s}, std::vector<Node>{out}), doctest::Contains("layers::Input"), Error);
  CHECK_THROWS_WITH_AS(Model(a, a), doctest::Contains("at least one layer"), Error);
}

TEST_CASE("graph: model.save and load_model give the same graph, shared layers and all") {
  nn_test::TempDir dir("graph_save");
  const Tensor x = random_tensor({6, 3}, 12);
  SUBCASE("a diamond with Add and Concatenate") {
    reset_layer_names();
    set_seed(13);
    auto m = diamond();
    m->compile(losses::MeanSquaredError(), optimizers::Adam(0.01f));
    m->train_on_batch(x, random_tensor({6, 1}, 14));
    m->save(dir.str() + "/d.nnz", {.include_optimizer = true});
    auto back = load_model(dir.str() + "/d.nnz");
    CHECK(back->layers().size() == m->layers().size());
    CHECK(same_bits(back->predict(x), m->predict(x)));
    // The optimizer state came along: one more step lands on the same weights.
    const Tensor y = random_tensor({6, 1}, 15);
    m->train_on_batch(x, y);
    back->train_on_batch(x, y);
    CHECK(same_bits(back->predict(x), m->predict(x)));
  }
  SUBCASE("a layer called twice, its second call reading a layer listed after it") {
    reset_layer_names();
    set_seed(16);
    Node in = L::Input({3});
    L::Dense shared(3, "tanh");
    Node h = shared(in);
    Node g = L::Dense(3, "tanh")(h);
    Node h2 = shared(g);  // shared's second call reads dense_1, listed after shared
    Node out = L::Dense(1)(L::Add()({h, h2}));
    Model m(in, out);
    m.save(dir.str() + "/s.nnz");
    auto back = load_model(dir.str() + "/s.nnz");
    CHECK(back->params().size() == m.params().size());
    CHECK(back->calls_of(back->get_layer("dense")) == 2);
    CHECK(same_bits(back->predict(x), m.predict(x)));
  }
}

TEST_CASE("graph: a model called on a node nests; the nested model equals the flat one") {
  reset_layer_names();
  set_seed(21);
  Node enc_in = L::Input({4});
  Node enc_out = L::Dense(2, "tanh")(L::Dense(3, "tanh")(enc_in));
  Model encoder(enc_in, enc_out, "encoder");
  Node dec_in = L::Input({2});
  Node dec_out = L::Dense(4)(L::Dense(3, "tanh")(dec_in));
  Model decoder(dec_in, dec_out, "decoder");
  Node recon = decoder(enc_out);
  Model autoencoder(enc_in, recon, "autoencoder");
  CHECK(autoencoder.params().size() == 8);
  REQUIRE(autoencoder.layers().size() == 4);  // input, dense, dense_1, decoder
  CHECK(autoencoder.layers()[3]->type() == "Functional");
  CHECK(autoencoder.layers()[3]->count_params() == 2 * 3 + 3 + 3 * 4 + 4);  // the decoder's 25, in one row
  const Tensor x = random_tensor({5, 4}, 22);
  // the same numbers as running the two models one after the other
  const Tensor z = encoder.predict(x);
  const Tensor flat = decoder.predict(z);
  CHECK(same_bits(autoencoder.predict(x), flat));
  // gradients through the nested model (down into the encoder) by finite differences
  autoencoder.compile(losses::MeanSquaredError(), optimizers::SGD(0.1f));
  nn_test::check_gradients(autoencoder, x, x);
  // training the autoencoder trains the decoder's own weights
  const Tensor before = decoder.predict(z);
  for (int i = 0; i < 5; ++i) autoencoder.train_on_batch(x, x);
  CHECK_FALSE(same_bits(decoder.predict(z), before));
  // the weights file names the decoder's own layers, so the decoder reads it back alone
  nn_test::TempDir dir("graph_nested");
  autoencoder.save_weights(dir.str() + "/ae.npz");
  const Tensor trained = autoencoder.predict(x);
  for (Param* p : autoencoder.params()) p->value.fill(0.0f);
  autoencoder.load_weights(dir.str() + "/ae.npz");
  CHECK(same_bits(autoencoder.predict(x), trained));
  Node again = decoder(enc_out);  // the same nested layer, called a second time
  CHECK_THROWS_WITH_AS(Model(enc_in, L::Add()({recon, again})), doctest::Contains("called twice"), Error);
  const std::string s = autoencoder.summary_string();
  CHECK(s.find("decoder (Functional)") != std::string::npos);
}

TEST_CASE("graph: summary adds Keras's \"Connected to\" column when the graph is not a chain") {
  reset_layer_names();
  Node in = L::Input({3});
  Node a = L::Dense(2)(in), b = L::Dense(2)(in);
  Model m(in, L::Add()({a, b}), "branches");
  const std::string s = m.summary_string();
  std::istringstream lines(s);
  std::vector<std::string> rows;
  for (std::string line; std::getline(lines, line);) rows.push_back(line);
  REQUIRE(rows.size() > 12);
  CHECK(rows[1] == std::string(98, '_'));  // Keras's 98 columns
  CHECK(rows[2].substr(0, 65) ==
        " Layer (type)                   Output Shape         Param #     ");
  CHECK(rows[2].substr(65, 12) == "Connected to");
  CHECK(s.find(" input_1 (InputLayer)           [(None, 3)]          0           []") != std::string::npos);
  CHECK(s.find(" dense (Dense)                  (None, 2)            8           ['input_1[0][0]']") != std::string::npos);
  // a field too long for its column continues on the next line, broken after "',"
  const std::string add_row = " add (Add)                      (None, 2)            0           ['dense[0][0]',";
  auto it = std::find_if(rows.begin(), rows.end(), [&](const std::string& r) { return r.rfind(add_row, 0) == 0; });
  REQUIRE(it != rows.end());
  CHECK(it->size() == 98);
  CHECK((it + 1)->substr(0, 82) == std::string(65, ' ') + " 'dense_1[0][0]']");
  // a chain keeps the 65-column table of today
  Node c = L::Input({3});
  Model chain(c, L::Dense(1)(c));
  CHECK(chain.summary_string().find("Connected to") == std::string::npos);
}

namespace {
// A summary's lines; the table rows (those starting with a space) padded with spaces to
// `width` columns, as Keras's print_row pads every row to the last column's end.
std::string keras_lines(const std::vector<std::string>& lines, size_t width) {
  std::string out;
  for (const std::string& l : lines) out += (!l.empty() && l[0] == ' ' ? l + std::string(width - l.size(), ' ') : l) + "\n";
  return out;
}
}  // namespace

// What Keras 2.11's print_summary (keras/utils/layer_utils.py) prints for this model, line
// for line. Not sequential-like (a depth holds two nodes), so: line_length 98, positions
// [.33, .55, .67, 1] × 98 = [32, 53, 65, 98]; each field is cut 2 columns before its end
// (the last one at 98), a cut falls right after "'," (so each input of a merge gets its own
// line, the rest starting with the space after the comma), every row is padded to 98, an
// empty row of 98 spaces follows every layer; "=" and "_" rules of 98; totals with ",".
TEST_CASE("graph: summary of a diamond is Keras 2.11's, character for character") {
  reset_layer_names();
  Node in = L::Input({3});
  Node a = L::Dense(4)(in), b = L::Dense(4)(in);
  Model m(in, L::Dense(2)(L::Add()({a, b})));
  const std::string blank;  // an empty row: 98 spaces once padded
  const std::vector<std::string> expected = {
      "Model: \"model\"",
      std::string(98, '_'),
      " Layer (type)                   Output Shape         Param #     Connected to",
      std::string(98, '='),
      " input_1 (InputLayer)           [(None, 3)]          0           []",
      " ",
      " dense (Dense)                  (None, 4)            16          ['input_1[0][0]']",
      " ",
      " dense_1 (Dense)                (None, 4)            16          ['input_1[0][0]']",
      " ",
      " add (Add)                      (None, 4)            0           ['dense[0][0]',",
      "                                                                  'dense_1[0][0]']",
      " ",
      " dense_2 (Dense)                (None, 2)            10          ['add[0][0]']",
      " ",
      std::string(98, '='),
      "Total params: 42",
      "Trainable params: 42",
      "Non-trainable params: 0",
      std::string(98, '_'),
  };
  CHECK(m.summary_string() == keras_lines(expected, 98));
}

TEST_CASE("graph: summary lists layers in Keras's order (by depth), and a shared layer's calls") {
  SUBCASE("a short branch beside a long one: Keras lists the deeper layer first") {
    reset_layer_names();
    Node in = L::Input({3});
    Node shortcut = L::Dense(2)(in);  // dense: depth 2
    Node deep = L::Dense(2)(in);      // dense_1: depth 3
    deep = L::Dense(2)(deep);         // dense_2: depth 2
    Model m(in, L::Dense(1)(L::Add()({shortcut, deep})));
    CHECK(m.layers()[1]->name() == "dense");  // the model itself keeps the order of the calls
    const std::string s = m.summary_string();
    const size_t d0 = s.find(" dense (Dense)"), d1 = s.find(" dense_1 (Dense)"), d2 = s.find(" dense_2 (Dense)");
    REQUIRE(d0 != std::string::npos);
    CHECK(d1 < d0);  // Keras: input_1, dense_1, dense, dense_2, add, dense_3
    CHECK(d0 < d2);
    CHECK(d2 < s.find(" add (Add)"));
  }
  SUBCASE("a layer called twice in a row is not sequential-like for Keras: its row lists both calls") {
    reset_layer_names();
    Node in = L::Input({4});
    L::Dense d(4, "tanh");
    Model m(in, L::Dense(2)(d(d(in))));
    const std::string s = m.summary_string();
    CHECK(s.find(std::string(98, '=')) != std::string::npos);
    const std::string first = " dense (Dense)                  (None, 4)            20          ['input_1[0][0]',";
    const size_t at = s.find(first);
    REQUIRE(at != std::string::npos);
    CHECK(s.substr(at + 99, 80) == std::string(65, ' ') + " 'dense[0][0]']");  // the next row
    CHECK(s.find(" dense_1 (Dense)                (None, 2)            10          ['dense[1][0]']") != std::string::npos);
  }
  SUBCASE("a nested model's first call is Keras's node 1") {
    reset_layer_names();
    Node dec_in = L::Input({3});
    Model inner(dec_in, L::Dense(3)(dec_in), "inner");
    Node in = L::Input({3});
    Model m(in, L::Add()({inner(in), L::Dense(3)(in)}));
    const std::string s = m.summary_string();
    CHECK(s.find(" inner (Functional)             (None, 3)            12          ['input_2[0][0]']") != std::string::npos);
    CHECK(s.find(" add (Add)                      (None, 3)            0           ['inner[1][0]',") != std::string::npos);
  }
}

TEST_CASE("graph: the autoencoder helper has the book's counts") {
  reset_layer_names();
  chapter::Autoencoder a = chapter::autoencoder();
  CHECK(a.encoder->summary_string().find("Total params: 96,770") != std::string::npos);
  CHECK(a.decoder->summary_string().find("Total params: 246,273") != std::string::npos);
  CHECK(a.autoencoder->summary_string().find("Total params: 343,043") != std::string::npos);
}

TEST_CASE("graph: model.save and load_model of the autoencoder (a nested decoder): bit-identical, decoder by name") {
  reset_layer_names();
  set_seed(31);
  // 8×8 images, 4/8/16 filters, a Dropout in the decoder. (Fewer filters, or a larger
  // learning rate, and the little network's ReLUs all die at once: then no mask matters,
  // and a Dropout generator restored wrongly would go unnoticed.)
  chapter::Autoencoder a = chapter::autoencoder(8, 4, 0.25f);
  Model& ae = *a.autoencoder;
  ae.compile(losses::BinaryCrossentropy(), optimizers::Adam(0.001f));
  Tensor x({6, 8, 8, 1});
  Rng rng(32);
  for (float& v : x) v = rng.uniform();
  for (int i = 0; i < 3; ++i) ae.train_on_batch(x, x);  // weights, Adam's m and v, Dropout's stream all moved
  nn_test::TempDir dir("graph_ae");
  const std::string path = dir.str() + "/ae.nnz";
  ae.save(path, {.include_optimizer = true});

  // Keras's layout: the decoder is one layer whose config is the decoder's own, and its
  // first call in the autoencoder is node 1.
  const std::string json = nn_test::zip_entry_text(path, "config.json");
  CHECK(json.find("\"class_name\": \"Functional\",\n        \"name\": \"decoder\",\n        \"config\": {\n"
                  "          \"name\": \"decoder\",\n          \"layers\": [") != std::string::npos);
  CHECK(json.find("\"output_layers\": [[\"decoder\", 1, 0]]") != std::string::npos);
  CHECK(json.find("\"inbound_nodes\": [[[\"dense\", 0, 0]]]") != std::string::npos);  // the decoder reads the encoder's Dense

  auto back = load_model(path);
  CHECK(same_bits(back->predict(x), ae.predict(x)));
  CHECK(back->summary_string() == ae.summary_string());
  Layer& decoder = back->get_layer("decoder");
  REQUIRE(decoder.type() == "Functional");
  Model& loaded_decoder = dynamic_cast<Functional&>(decoder).model();
  const Tensor z = a.encoder->predict(x);
  CHECK(same_bits(loaded_decoder.predict(z), a.decoder->predict(z)));
  CHECK(loaded_decoder.get_layer("dropout").type() == "Dropout");
  // With the optimizer and the Dropout generator restored, training goes on identically.
  for (int i = 0; i < 2; ++i) {
    const float la = ae.train_on_batch(x, x), lb = back->train_on_batch(x, x);
    CHECK(la == lb);
  }
  CHECK(same_bits(back->predict(x), ae.predict(x)));
  // The loaded model's file is the same file again.
  back->save(dir.str() + "/again.nnz", {.include_optimizer = true});
  ae.save(path, {.include_optimizer = true});
  CHECK(read_file(dir.str() + "/again.nnz") == read_file(path));
}

TEST_CASE("graph: model.save and load_model of nested models in a graph, two levels deep, with a shared layer") {
  reset_layer_names();
  set_seed(33);
  Node core_in = L::Input({3});
  L::Dense shared(3, "tanh");
  Node h = shared(core_in);
  Model core(core_in, L::Add()({h, shared(h)}), "core");  // a layer called twice, inside the innermost model
  Node middle_in = L::Input({3});
  Model middle(middle_in, L::Dense(3)(core(middle_in)), "middle");
  Node in = L::Input({3});
  Node branch = L::Dense(2)(in);  // the outer graph: a branch beside the nested model
  Node joined = L::Concatenate()({middle(in), branch});
  Model outer(in, L::Dense(1)(joined), "outer");
  const Tensor x = random_tensor({5, 3}, 34);
  nn_test::TempDir dir("graph_nested_save");
  outer.save(dir.str() + "/o.nnz");
  const std::string json = nn_test::zip_entry_text(dir.str() + "/o.nnz", "config.json");
  CHECK(json.find("[[\"middle\", 1, 0], [\"dense_2\", 0, 0]]") != std::string::npos);  // Concatenate's inputs
  CHECK(json.find("[[[\"input_1\", 0, 0]], [[\"dense\", 0, 0]]]") != std::string::npos);  // shared's two calls, in core
  auto back = load_model(dir.str() + "/o.nnz");
  CHECK(same_bits(back->predict(x), outer.predict(x)));
  CHECK(back->summary_string() == outer.summary_string());
  Model& m = dynamic_cast<Functional&>(back->get_layer("middle")).model();
  Model& c = dynamic_cast<Functional&>(m.get_layer("core")).model();
  CHECK(c.calls_of(c.get_layer("dense")) == 2);
  CHECK(same_bits(c.predict(x), core.predict(x)));
  // A file whose outer model reads the nested model's node 0 (which Keras never writes)
  // is a clear error.
  std::string bad = json;
  bad.replace(bad.find("[\"middle\", 1, 0]"), 16, "[\"middle\", 0, 0]");
  CHECK_THROWS_WITH_AS(model_config_from_json(bad), doctest::Contains("names call 0 of \"middle\", which has only call 1"),
                       IoError);
}

TEST_CASE("graph: a checkpoint restores the generator of a Dropout inside a nested model; resume is bit-identical") {
  // As the test above for the diamond: a fit saves a checkpoint and goes on; a fresh model
  // resumes from it and fits as long: the two must end on the same weights.
  auto train = [](int epochs, const std::string& ckpt_in, const std::string& ckpt_out) {
    reset_layer_names();
    set_seed(35);
    chapter::Autoencoder a = chapter::autoencoder(8, 4, 0.5f);  // (small, but its ReLUs stay alive)
    Model& ae = *a.autoencoder;
    ae.compile(losses::BinaryCrossentropy(), optimizers::Adam(0.001f));
    Tensor x({12, 8, 8, 1});
    Rng rng(36);
    for (float& v : x) v = rng.uniform();
    if (!ckpt_in.empty()) ae.resume_from(ckpt_in);
    ae.fit(x, x, {.batch_size = 4, .epochs = epochs, .verbose = 0, .seed = 7});
    if (!ckpt_out.empty()) {
      ae.save_checkpoint(ckpt_out);
      // the checkpoint holds the nested Dropout's generator
      CHECK_FALSE(nn_test::zip_entry_text(ckpt_out, "checkpoint/rng/dropout/state.npy").empty());
      ae.fit(x, x, {.batch_size = 4, .epochs = epochs, .verbose = 0, .seed = 7});
    }
    return ae.get_weights();
  };
  nn_test::TempDir dir("graph_nested_ckpt");
  const auto continued = train(1, "", dir.str() + "/c.npz");
  const auto resumed = train(1, dir.str() + "/c.npz", "");
  const auto once = train(1, "", "");
  REQUIRE(continued.size() == resumed.size());
  for (size_t i = 0; i < continued.size(); ++i) {
    CHECK(same_bits(continued[i], resumed[i]));
    CHECK_FALSE(same_bits(once[i], resumed[i]));  // (2 epochs against 1: the test can fail)
  }
}
