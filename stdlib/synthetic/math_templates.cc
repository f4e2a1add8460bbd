// Training templates for `math`: everyday multi-step arithmetic in GSM8K's style. Held-out
// templates (gsm8k_test) are in gsm8k_test_templates.cc and share no sentence with these.
#include "stdlib/synthetic/math_problem.h"
#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {
namespace {

using std::to_string;
std::string S(int64_t x) { return to_string(x); }

const char* const kFruit[] = {"apple", "orange", "pear", "peach", "mango", "lemon", "plum", "banana"};
const char* const kSchoolItems[] = {"notebook", "pencil", "eraser", "marker", "folder", "ruler", "binder"};
const char* const kThings[] = {"bike", "guitar", "tablet", "telescope", "skateboard", "camera", "keyboard"};

MathProblem shopping_total(Rng& r) {
  const Person p = r.pick(people());
  std::string a = r.pick(kFruit), b = r.pick(kSchoolItems);
  const int64_t na = r.range(2, 12), pa = r.range(1, 9), nb = r.range(2, 9), pb = r.range(2, 15);
  MathProblem m;
  m.question = p.name + " buys " + S(na) + " " + a + "s for $" + S(pa) + " each and " + S(nb) + " " + b + "s for $" +
               S(pb) + " each. How much money does " + p.he + " spend in total?";
  const int s1 = m.step({cap(p.he) + " spends {calc} dollars on " + a + "s.", "The " + a + "s cost {calc} dollars.",
                         "For the " + a + "s " + p.he + " pays {calc} dollars."},
                        '*', {na, pa});
  const int s2 = m.step({cap(p.he) + " spends {calc} dollars on " + b + "s.", "The " + b + "s cost {calc} dollars.",
                         "For the " + b + "s " + p.he + " pays {calc} dollars."},
                        '*', {nb, pb});
  m.step({"In total " + p.he + " spends {calc} dollars.", "Altogether that is {calc} dollars."}, '+',
         {m.value(s1), m.value(s2)}, {s1, s2});
  m.conclusions = {p.name + " spends $" + std::string("{answer}") + " in total.", "The answer is {answer}."};
  return m;
}

MathProblem shopping_change(Rng& r) {
  const Person p = r.pick(people());
  const std::string item = r.pick(kSchoolItems);
  const int64_t n = r.range(2, 8), price = r.range(2, 9), extra = r.range(3, 20);
  const int64_t total = n * price + extra;
  const int64_t bill = total <= 50 ? 50 : 100;
  MathProblem m;
  m.question = p.name + " buys " + S(n) + " " + item + "s that cost $" + S(price) + " each and a backpack for $" +
               S(extra) + ". " + cap(p.he) + " pays with a $" + S(bill) + " bill. How much change does " + p.he +
               " get back?";
  const int s1 = m.step({"The " + item + "s cost {calc} dollars.", cap(p.his) + " " + item + "s come to {calc} dollars."},
                        '*', {n, price});
  const int s2 = m.step({"With the backpack the bill is {calc} dollars.", "Adding the backpack gives {calc} dollars."},
                        '+', {m.value(s1), extra}, {s1});
  m.step({cap(p.his) + " change is {calc} dollars.", cap(p.he) + " gets back {calc} dollars."}, '-',
         {bill, m.value(s2)}, {s2});
  m.conclusions = {p.name + " gets ${answer} in change.", "So the change is {answer} dollars."};
  return m;
}

MathProblem ages(Rng& r) {
  auto [a, b] = two_people(r);
  const Person c = r.pick(people());
  const int64_t x = r.range(3, 14), k = r.range(2, 4), d = r.range(1, x * k - 1 > 9 ? 9 : x * k - 1);
  MathProblem m;
  m.question = a.name + " is " + S(x) + " years old. " + b.name + " is " + S(k) + " times as old as " + a.name +
               ", and their cousin " + c.name + " is " + S(d) + " years younger than " + b.name +
               ". What is the sum of the three ages?";
  const int s1 = m.step({b.name + " is {calc} years old.", b.name + "'s age is {calc}."}, '*', {x, k});
  const int s2 = m.step({c.name + " is {calc} years old.", "The cousin is {calc} years old."}, '-', {m.value(s1), d}, {s1});
  m.step({"The sum of their ages is {calc}.", "Together they are {calc} years old."}, '+', {x, m.value(s1), m.value(s2)},
         {s1, s2});
  m.conclusions = {"The three ages add up to {answer}.", "The answer is {answer} years."};
  return m;
}

MathProblem train_trip(Rng& r) {
  const int64_t v1 = r.range(4, 12) * 5, h1 = r.range(2, 6), v2 = r.range(4, 12) * 5, h2 = r.range(1, 5);
  const char* vehicle = r.pick({"train", "bus", "truck", "ferry"});
  MathProblem m;
  m.question = std::string("A ") + vehicle + " travels at " + S(v1) + " miles per hour for " + S(h1) +
               " hours and then at " + S(v2) + " miles per hour for " + S(h2) +
               " hours. How many miles does it travel in total?";
  const int s1 = m.step({"In the first part it covers {calc} miles.", "The first leg is {calc} miles."}, '*', {v1, h1});
  const int s2 = m.step({"In the second part it covers {calc} miles.", "The second leg is {calc} miles."}, '*', {v2, h2});
  m.step({"The total distance is {calc} miles.", "Altogether it travels {calc} miles."}, '+', {m.value(s1), m.value(s2)},
         {s1, s2});
  m.conclusions = {std::string("The ") + vehicle + " travels {answer} miles.", "The answer is {answer}."};
  return m;
}

MathProblem sharing(Rng& r) {
  const Person p = r.pick(people());
  const int64_t k = r.range(2, 8), q = r.range(3, 12), packs = r.range(2, 5), per = r.range(2, 6);
  int64_t start = q * k - packs * per;
  if (start <= 0) start += k * ((packs * per) / k + 1);
  const int64_t total = start + packs * per;
  MathProblem m;
  m.question = p.name + " has " + S(start) + " candies and buys " + S(packs) + " packs with " + S(per) +
               " candies in each. " + cap(p.he) + " shares all the candies equally among " + S(k) +
               " friends. How many candies does each friend get?";
  const int s1 = m.step({"The packs hold {calc} candies.", cap(p.he) + " buys {calc} candies."}, '*', {packs, per});
  const int s2 = m.step({"Now " + p.he + " has {calc} candies.", "That makes {calc} candies in all."}, '+',
                        {start, m.value(s1)}, {s1});
  m.step({"Each friend gets {calc} candies.", "Shared among the friends that is {calc} candies each."}, '/',
         {total, k}, {s2});
  m.conclusions = {"Each friend gets {answer} candies.", "The answer is {answer}."};
  return m;
}

MathProblem garden_area(Rng& r) {
  const int64_t l = r.range(5, 30), w = r.range(3, 20), c = r.range(2, 9);
  const char* what = r.pick({"fertilizer", "grass seed", "mulch", "compost"});
  MathProblem m;
  m.question = "A rectangular garden is " + S(l) + " feet long and " + S(w) + " feet wide. " + cap(what) + " costs $" +
               S(c) + " per square foot. How much does it cost to cover the whole garden?";
  const int s1 = m.step({"The area is {calc} square feet.", "The garden covers {calc} square feet."}, '*', {l, w});
  m.step({"The " + std::string(what) + " costs {calc} dollars.", "Covering it costs {calc} dollars."}, '*',
         {m.value(s1), c}, {s1});
  m.conclusions = {"It costs ${answer}.", "The answer is {answer} dollars."};
  return m;
}

MathProblem fencing(Rng& r) {
  const Person p = r.pick(people());
  const int64_t l = r.range(6, 40), w = r.range(4, 25), c = r.range(2, 12);
  MathProblem m;
  m.question = p.name + " wants to put a fence around a rectangular yard that is " + S(l) + " meters long and " + S(w) +
               " meters wide. Fencing costs $" + S(c) + " per meter. How much will the fence cost?";
  const int s1 = m.step({"The perimeter is {calc} meters.", "The fence must be {calc} meters long."}, '+', {l, w, l, w});
  m.step({"The fence costs {calc} dollars.", cap(p.he) + " pays {calc} dollars for the fence."}, '*', {m.value(s1), c},
         {s1});
  m.conclusions = {"The fence will cost ${answer}.", "The answer is {answer}."};
  return m;
}

MathProblem chores_time(Rng& r) {
  const Person p = r.pick(people());
  const int64_t mins = r.range(1, 6) * 5, k = r.range(2, 6);
  int64_t days = r.range(2, 14);
  while ((mins * k * days) % 60 != 0) ++days;
  MathProblem m;
  m.question = p.name + " spends " + S(mins) + " minutes on each of " + S(k) + " chores every day. How many hours does " +
               p.he + " spend on chores in " + S(days) + " days?";
  const int s1 = m.step({"Each day " + p.he + " spends {calc} minutes on chores.", "That is {calc} minutes a day."}, '*',
                        {mins, k});
  const int s2 = m.step({"Over the " + S(days) + " days that is {calc} minutes.", "In all the days it adds up to {calc} minutes."},
                        '*', {m.value(s1), days}, {s1});
  m.step({"In hours that is {calc}.", "Since an hour has 60 minutes, that is {calc} hours."}, '/', {m.value(s2), 60}, {s2});
  m.conclusions = {p.name + " spends {answer} hours on chores.", "The answer is {answer} hours."};
  return m;
}

MathProblem savings(Rng& r) {
  const Person p = r.pick(people());
  const std::string thing = r.pick(kThings);
  const int64_t w = r.range(3, 25), weeks = r.range(3, 20), saved = r.range(5, 120);
  const int64_t cost = saved + w * weeks;
  MathProblem m;
  m.question = p.name + " wants to buy a " + thing + " that costs $" + S(cost) + ". " + cap(p.he) + " has saved $" +
               S(saved) + " and saves $" + S(w) + " each week. How many weeks will it take " + p.him +
               " to have enough money?";
  const int s1 = m.step({cap(p.he) + " still needs {calc} dollars.", "The amount left to save is {calc} dollars."}, '-',
                        {cost, saved});
  m.step({"At $" + S(w) + " a week that takes {calc} weeks.", "It takes {calc} weeks."}, '/', {m.value(s1), w}, {s1});
  m.conclusions = {"It will take {answer} weeks.", "The answer is {answer}."};
  return m;
}

MathProblem recipe(Rng& r) {
  const int64_t cups = r.range(1, 5), batch = r.range(2, 6) * 6, mult = r.range(2, 6);
  const char* what = r.pick({"cookies", "pancakes", "muffins", "biscuits"});
  const char* ing = r.pick({"flour", "sugar", "milk", "oats"});
  MathProblem m;
  m.question = std::string("A recipe uses ") + S(cups) + " cups of " + ing + " to make " + S(batch) + " " + what +
               ". How many cups of " + ing + " are needed to make " + S(batch * mult) + " " + what + "?";
  const int s1 = m.step({"That is {calc} batches.", std::string("We need {calc} times the recipe.")}, '/',
                        {batch * mult, batch});
  m.step({std::string("So we need {calc} cups of ") + ing + ".", "The " + std::string(ing) + " needed is {calc} cups."}, '*',
         {m.value(s1), cups}, {s1});
  m.conclusions = {"{answer} cups are needed.", "The answer is {answer}."};
  return m;
}

MathProblem discount(Rng& r) {
  const std::string thing = r.pick(kThings);
  const int64_t pct = r.pick(std::vector<int64_t>{10, 20, 25, 30, 40, 50});
  const int64_t price = r.range(2, 30) * 20;
  MathProblem m;
  m.question = "A " + thing + " costs $" + S(price) + ". This week it is sold at " + S(pct) +
               "% off. What is the sale price?";
  const int s1 = m.step({"First multiply the price by the percent: {calc}.", "The price times the percentage is {calc}."},
                        '*', {price, pct});
  const int s2 = m.step({"The discount is {calc} dollars.", "Dividing by 100 gives a discount of {calc} dollars."}, '/',
                        {m.value(s1), 100}, {s1});
  m.step({"The sale price is {calc} dollars.", "So it costs {calc} dollars on sale."}, '-', {price, m.value(s2)}, {s2});
  m.conclusions = {"The sale price is ${answer}.", "The answer is {answer}."};
  return m;
}

MathProblem bakery(Rng& r) {
  const int64_t b = r.range(2, 8), per = r.range(6, 24), days = r.range(2, 7);
  const int64_t sold = r.range(1, b * per - 1);
  const char* what = r.pick({"muffins", "rolls", "bagels", "croissants", "pies"});
  MathProblem m;
  m.question = std::string("A bakery makes ") + S(b) + " batches of " + what + " every day with " + S(per) + " " + what +
               " in each batch. It sells " + S(sold) + " " + what + " a day. How many " + what + " are left over after " +
               S(days) + " days?";
  const int s1 = m.step({std::string("Each day it bakes {calc} ") + what + ".", "Daily baking gives {calc}."}, '*', {b, per});
  const int s2 = m.step({"Each day {calc} are left over.", "Unsold each day: {calc}."}, '-', {m.value(s1), sold}, {s1});
  m.step({"After " + S(days) + " days {calc} are left.", "Over all the days that is {calc}."}, '*', {m.value(s2), days},
         {s2});
  m.conclusions = {std::string("{answer} ") + what + " are left over.", "The answer is {answer}."};
  return m;
}

MathProblem classroom(Rng& r) {
  const int64_t g = r.range(2, 6), classes = r.range(2, 6);
  int64_t per = r.range(15, 32);
  while ((per * classes) % g != 0) ++per;
  MathProblem m;
  m.question = "A school has " + S(classes) + " classes with " + S(per) +
               " students in each. For a project the students work in groups of " + S(g) + ". How many groups are there?";
  const int s1 = m.step({"There are {calc} students.", "The school has {calc} students in total."}, '*', {classes, per});
  m.step({"That makes {calc} groups.", "Dividing into groups gives {calc} groups."}, '/', {m.value(s1), g}, {s1});
  m.conclusions = {"There are {answer} groups.", "The answer is {answer}."};
  return m;
}

MathProblem reading(Rng& r) {
  const Person p = r.pick(people());
  const int64_t a = r.range(10, 40), pages = r.range(4, 12) * 25;
  int64_t total = pages;
  if (total <= 3 * a) total = 3 * a + r.range(20, 80);
  MathProblem m;
  m.question = p.name + " is reading a " + S(total) + "-page book. " + cap(p.he) + " reads " + S(a) +
               " pages on Monday and twice as many on Tuesday. How many pages are left to read?";
  const int s1 = m.step({"On Tuesday " + p.he + " reads {calc} pages.", "Tuesday's reading is {calc} pages."}, '*', {a, 2});
  const int s2 = m.step({"So far " + p.he + " has read {calc} pages.", "In two days that is {calc} pages."}, '+',
                        {a, m.value(s1)}, {s1});
  m.step({"There are {calc} pages left.", cap(p.he) + " still has {calc} pages to read."}, '-', {total, m.value(s2)}, {s2});
  m.conclusions = {"{answer} pages are left.", "The answer is {answer}."};
  return m;
}

MathProblem wages(Rng& r) {
  const Person p = r.pick(people());
  const int64_t w = r.range(8, 30), h = r.range(3, 9), d = r.range(2, 6), bonus = r.range(1, 10) * 10;
  MathProblem m;
  m.question = p.name + " earns $" + S(w) + " an hour. " + cap(p.he) + " works " + S(h) + " hours a day for " + S(d) +
               " days and also gets a $" + S(bonus) + " bonus. How much does " + p.he + " earn in total?";
  const int s1 = m.step({"Each day " + p.he + " earns {calc} dollars.", "A day of work pays {calc} dollars."}, '*', {w, h});
  const int s2 = m.step({"For " + S(d) + " days that is {calc} dollars.", "Over the days " + p.he + " earns {calc} dollars."},
                        '*', {m.value(s1), d}, {s1});
  m.step({"With the bonus " + p.he + " earns {calc} dollars.", "Adding the bonus gives {calc} dollars."}, '+',
         {m.value(s2), bonus}, {s2});
  m.conclusions = {p.name + " earns ${answer}.", "The answer is {answer}."};
  return m;
}

MathProblem fuel(Rng& r) {
  const int64_t mpg = r.range(15, 40), gallons = r.range(2, 12), c = r.range(3, 6);
  MathProblem m;
  m.question = "A car goes " + S(mpg) + " miles on one gallon of gas. Gas costs $" + S(c) +
               " per gallon. How much does the gas cost for a trip of " + S(mpg * gallons) + " miles?";
  const int s1 = m.step({"The trip needs {calc} gallons.", "The car uses {calc} gallons."}, '/', {mpg * gallons, mpg});
  m.step({"The gas costs {calc} dollars.", "That much gas costs {calc} dollars."}, '*', {m.value(s1), c}, {s1});
  m.conclusions = {"The gas costs ${answer}.", "The answer is {answer}."};
  return m;
}

MathProblem tomato_rows(Rng& r) {
  const Person p = r.pick(people());
  const int64_t rows = r.range(2, 8), per = r.range(3, 10), t = r.range(4, 15);
  const int64_t give = r.range(1, rows * per * t / 2);
  const char* crop = r.pick({"tomato", "pepper", "zucchini", "cucumber"});
  MathProblem m;
  m.question = p.name + " plants " + S(rows) + " rows of " + crop + " plants with " + S(per) +
               " plants in each row. Each plant grows " + S(t) + " " + crop + "s. " + cap(p.he) + " gives away " +
               S(give) + " of them. How many does " + p.he + " keep?";
  const int s1 = m.step({cap(p.he) + " has {calc} plants.", "There are {calc} plants."}, '*', {rows, per});
  const int s2 = m.step({"They grow {calc} " + std::string(crop) + "s.", "The harvest is {calc}."}, '*', {m.value(s1), t},
                        {s1});
  m.step({cap(p.he) + " keeps {calc}.", "After giving some away, {calc} remain."}, '-', {m.value(s2), give}, {s2});
  m.conclusions = {p.name + " keeps {answer}.", "The answer is {answer}."};
  return m;
}

MathProblem stamps(Rng& r) {
  auto [a, b] = two_people(r);
  const Person c = r.pick(people());
  const int64_t x = r.range(10, 80);
  int64_t k = r.range(4, 40);
  if ((x + k) % 2) ++k;
  const char* what = r.pick({"stamps", "stickers", "marbles", "coins", "shells"});
  MathProblem m;
  m.question = a.name + " has " + S(x) + " " + what + ". " + b.name + " has " + S(k) + " more " + what + " than " + a.name +
               ", and " + c.name + " has half as many as " + b.name + ". How many " + what + " do they have together?";
  const int s1 = m.step({b.name + " has {calc} " + what + ".", b.name + "'s count is {calc}."}, '+', {x, k});
  const int s2 = m.step({c.name + " has {calc} " + what + ".", "Half of that is {calc}."}, '/', {m.value(s1), 2}, {s1});
  m.step({"Together they have {calc} " + std::string(what) + ".", "The total is {calc}."}, '+',
         {x, m.value(s1), m.value(s2)}, {s1, s2});
  m.conclusions = {std::string("They have {answer} ") + what + " together.", "The answer is {answer}."};
  return m;
}

MathProblem dog_food(Rng& r) {
  const Person p = r.pick(people());
  const int64_t dogs = r.range(1, 4), cups = r.range(1, 4), days = r.range(5, 30);
  int64_t bag = r.range(10, 40);
  const int64_t need = dogs * cups * days;
  while (need % bag != 0) bag = bag > 2 ? bag - 1 : 1;
  MathProblem m;
  m.question = p.name + " has " + S(dogs) + " dogs. Each dog eats " + S(cups) + " cups of food a day, and a bag of food holds " +
               S(bag) + " cups. How many bags does " + p.he + " need for " + S(days) + " days?";
  const int s1 = m.step({"The dogs eat {calc} cups a day.", "Each day they need {calc} cups."}, '*', {dogs, cups});
  const int s2 = m.step({"For " + S(days) + " days they need {calc} cups.", "Over the days that is {calc} cups."}, '*',
                        {m.value(s1), days}, {s1});
  m.step({cap(p.he) + " needs {calc} bags.", "That is {calc} bags of food."}, '/', {m.value(s2), bag}, {s2});
  m.conclusions = {p.name + " needs {answer} bags.", "The answer is {answer}."};
  return m;
}

}  // namespace

const std::vector<MathTemplate>& math_train_templates() {
  static const std::vector<MathTemplate> t = {shopping_total, shopping_change, ages,     train_trip, sharing,
                                              garden_area,    fencing,         chores_time, savings,  recipe,
                                              discount,       bakery,          classroom, reading,    wages,
                                              fuel,           tomato_rows,     stamps,    dog_food};
  return t;
}

}  // namespace sftx::rt::synth
