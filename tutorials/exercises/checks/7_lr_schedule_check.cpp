// Checks for exercise 7 (a learning-rate schedule). Run with `make exercise N=7`.
#include <memory>

#include "7_lr_schedule.h"
#include "exercise_check.h"

namespace {

// SGD that writes down the learning rate of every step it takes: what training really used.
// fit steps with the model's own copy (compile clones the optimizer), so the copies share
// one list.
class RecordingSGD : public nn::optimizers::SGD {
 public:
  explicit RecordingSGD(float lr) : SGD(lr), rates(std::make_shared<std::vector<float>>()) {}
  std::unique_ptr<nn::optimizers::Optimizer> clone() const override { return std::make_unique<RecordingSGD>(*this); }
  std::shared_ptr<std::vector<float>> rates;

 protected:
  void begin_step() override { rates->push_back(learning_rate); }  // read once per step, before the updates
};

// A compiled model, for calling the callback by hand.
std::unique_ptr<nn::Sequential> small_model(float lr) {
  auto model = std::make_unique<nn::Sequential>();  // a model cannot be copied, nor returned by value
  model->add(nn::layers::Input({2}));
  model->add(nn::layers::Dense(1));
  model->compile(nn::losses::MeanSquaredError(), nn::optimizers::SGD(lr));
  return model;
}

std::string rate_str(double r) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", r);
  return buf;
}

// The rates step_decay(initial, drop, every) gives for epochs 0 .. want.size()-1.
std::string decays(float initial, float drop, int every, const std::vector<double>& want) {
  const Schedule s = step_decay(initial, drop, every);
  const std::string call = "step_decay(" + rate_str(initial) + ", " + rate_str(drop) + ", " + std::to_string(every) + ")";
  for (size_t e = 0; e < want.size(); ++e) {
    const float got = s(static_cast<int>(e), 123.0f);  // 123: a current rate that step decay must ignore
    if (std::abs(got - want[e]) <= 1e-6 * want[e]) continue;
    std::string msg = call + " at epoch " + std::to_string(e) + " (counted from 0): got " + rate_str(got) +
                      ", expected " + rate_str(want[e]);
    const double smooth = initial * std::pow(drop, static_cast<double>(e) / every);
    if (e == 0) return msg + "\n        the first epoch, epoch 0, trains with the initial rate: drop^0 = 1";
    if (std::abs(got - smooth) <= 1e-5 * smooth)
      return msg + "\n        the rate falls every epoch: floor(epoch / epochs_per_drop) (integer division) keeps "
                   "it flat between drops, so it falls in steps";
    if (std::abs(got - want[e] * drop) <= 1e-6 * want[e])
      return msg + "\n        it dropped one epoch early: epochs count from 0, so with epochs_per_drop = " +
             std::to_string(every) + " the first drop is at epoch " + std::to_string(every);
    if (std::abs(got - 123.0f) < 1e-3f) return msg + "\n        step decay ignores the current rate it is given";
    return msg + "\n        step decay is initial · drop^floor(epoch / epochs_per_drop)";
  }
  return "";
}

}  // namespace

int main() {
  std::printf("Exercise 7: a learning-rate schedule as a callback\n");
  exercise::check("step_decay(0.1, 0.5, 2): 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125", [] {
    return decays(0.1f, 0.5f, 2, {0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.0125});
  });
  exercise::check("step_decay(0.01, 0.1, 3): three epochs at 0.01, three at 0.001, then 0.0001", [] {
    return decays(0.01f, 0.1f, 3, {0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 0.0001});
  });
  exercise::check("step_decay with epochs_per_drop 0 is an nn::ValueError", [] {
    try {
      step_decay(0.1f, 0.5f, 0);
    } catch (const nn::ValueError&) {
      return std::string();
    }
    return std::string("step_decay(0.1, 0.5, 0) should throw nn::ValueError: a drop every 0 epochs means nothing "
                       "(and epoch / 0 is undefined)");
  });
  exercise::check("on_epoch_begin: schedule(epoch from 0, the optimizer's current rate), and the optimizer gets the result", [] {
    std::unique_ptr<nn::Sequential> made = small_model(0.08f);
    nn::Sequential& model = *made;
    std::vector<std::pair<int, float>> seen;
    LearningRateScheduler halve([&](int epoch, float lr) {
      seen.emplace_back(epoch, lr);
      return lr * 0.5f;
    });
    int batch_size = 32;
    for (int epoch = 0; epoch < 3; ++epoch) {
      const float before = model.optimizer().learning_rate;
      halve.on_epoch_begin(epoch, model, batch_size);
      const std::string call = "on_epoch_begin(" + std::to_string(epoch) + ")";
      if (seen.size() != static_cast<size_t>(epoch) + 1)
        return call + " should call the schedule once; it has been called " + std::to_string(seen.size()) +
               " times in " + std::to_string(epoch + 1) + " epochs (on_epoch_begin is where the rate is set: fit calls it "
               "before each epoch's first step)";
      if (seen[epoch].first != epoch)
        return call + " gave the schedule epoch " + std::to_string(seen[epoch].first) +
               ": epochs count from 0, as in Keras; give the schedule fit's `epoch` as it is";
      if (seen[epoch].second != before)
        return call + " gave the schedule the rate " + rate_str(seen[epoch].second) + ", but the optimizer's rate was " +
               rate_str(before) + ": pass the optimizer's current rate (model.optimizer().learning_rate, read each "
               "time), not the first one: a schedule like lr * 0.5 builds on it";
      const float now = model.optimizer().learning_rate, returned = seen[epoch].second * 0.5f;
      if (now != returned) {
        if (now == before)
          return "after " + call + " the optimizer's rate is still " + rate_str(before) + ": set "
                 "model.optimizer().learning_rate to what the schedule returns (a rate kept in the callback "
                 "never reaches training)";
        return "after " + call + " the optimizer's rate is " + rate_str(now) + ", but the schedule returned " +
               rate_str(returned) + ": the optimizer's rate must be exactly what the schedule returned";
      }
    }
    if (batch_size != 32) return std::string("on_epoch_begin changed batch_size: leave it alone");
    return std::string();
  });
  exercise::check("a schedule that returns NaN or a negative rate is an nn::ValueError naming the epoch", [] {
    for (float bad : {std::nanf(""), -0.1f, 0.0f}) {
      std::unique_ptr<nn::Sequential> model = small_model(0.1f);
      LearningRateScheduler scheduler([=](int epoch, float lr) { return epoch == 2 ? bad : lr; });
      int batch_size = 32;
      try {
        for (int epoch = 0; epoch < 3; ++epoch) scheduler.on_epoch_begin(epoch, *model, batch_size);
      } catch (const nn::ValueError& e) {
        if (std::string(e.what()).find("epoch") == std::string::npos)
          return "the nn::ValueError for a rate of " + rate_str(bad) + " should say which epoch: \"" + e.what() + "\"";
        continue;
      }
      return "a schedule that returns " + rate_str(bad) +
             " at epoch 2 should make on_epoch_begin throw nn::ValueError (a learning rate is a positive, finite "
             "number); training with it would go nowhere, or uphill";
    }
    return std::string();
  });
  exercise::check("fit trains every step of an epoch with the scheduled rate (the optimizer's rate read at each step)", [] {
    // 6 samples, batch 3: 2 steps an epoch; 4 epochs of step_decay(0.1, 0.5, 2); SGD starts at 0.5
    nn::set_seed(2);
    RecordingSGD sgd(0.5f);
    nn::Sequential model({nn::layers::Input({2}), nn::layers::Dense(1)});
    model.compile(nn::losses::MeanSquaredError(), sgd);
    nn::Rng rng(3);
    nn::Tensor x = gradcheck::random_tensor({6, 2}, rng), y = gradcheck::random_tensor({6, 1}, rng);
    const std::vector<std::shared_ptr<nn::Callback>> callbacks{std::make_shared<LearningRateScheduler>(step_decay(0.1f, 0.5f, 2))};
    model.fit(x, y, {.batch_size = 3, .epochs = 4, .verbose = 0, .callbacks = callbacks});
    const std::vector<float>& used = *sgd.rates;
    const double want[4] = {0.1, 0.1, 0.05, 0.05};
    if (used.size() != 8) return "expected 8 training steps (4 epochs of 2), the optimizer took " + std::to_string(used.size());
    for (int step = 0; step < 8; ++step) {
      const int epoch = step / 2;
      if (std::abs(used[step] - want[epoch]) <= 1e-7) continue;
      std::string msg = "step " + std::to_string(step % 2 + 1) + " of epoch " + std::to_string(epoch) +
                        " (counted from 0) trained with the rate " + rate_str(used[step]) + ", expected " +
                        rate_str(want[epoch]);
      bool all_initial = true;
      for (float r : used) all_initial = all_initial && r == 0.5f;
      if (all_initial)
        return msg + "\n        training never used the schedule: every step ran at SGD's own 0.5. Set "
                     "model.optimizer().learning_rate in on_epoch_begin";
      const double before = epoch == 0 ? 0.5 : want[epoch - 1];
      if (std::abs(used[step] - before) <= 1e-7)
        return msg + " (the rate of the epoch before)\n        the rate arrived one epoch late: set it in "
                     "on_epoch_begin, before the epoch's first step (on_epoch_end is too late)";
      return msg;
    }
    return std::string();
  });
  return exercise::finish("your LearningRateScheduler");
}
