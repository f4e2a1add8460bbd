// Held-out templates for `gsm8k_test`: the same kinds of skills as the training templates
// (multi-step + - * /), but other scenarios and wording, so no question or solution sentence
// is shared with `math` (synthetic_overlap_test.cc checks with 13-gram decontamination).
#include "stdlib/synthetic/math_problem.h"
#include "stdlib/synthetic/text_util.h"

namespace sftx::rt::synth {
namespace {

std::string S(int64_t x) { return std::to_string(x); }

MathProblem fair_tickets(Rng& r) {
  const Person p = r.pick(people());
  const int64_t ride = r.range(2, 6), game = r.range(1, 4), nr = r.range(2, 7), ng = r.range(2, 9);
  const int64_t money = ((nr * ride + ng * game) / 10 + 1 + r.range(0, 3)) * 10;
  MathProblem m;
  m.question = "At the county fair a ride ticket sells for $" + S(ride) + " and a game ticket for $" + S(game) + ". " +
               p.name + " arrives with $" + S(money) + " and purchases " + S(nr) + " ride tickets plus " + S(ng) +
               " game tickets. How many dollars remain in " + p.his + " pocket?";
  const int a = m.step({"Ride tickets: {calc} dollars."}, '*', {nr, ride});
  const int b = m.step({"Game tickets: {calc} dollars."}, '*', {ng, game});
  const int c = m.step({"Spent at the fair: {calc} dollars."}, '+', {m.value(a), m.value(b)}, {a, b});
  m.step({"Money remaining: {calc} dollars."}, '-', {money, m.value(c)}, {c});
  return m;
}

MathProblem water_tank(Rng& r) {
  const int64_t rate = r.range(3, 15), minutes = r.range(4, 30), already = r.range(10, 200);
  MathProblem m;
  m.question = "An empty-looking tank already contains " + S(already) + " liters of water and can hold " +
               S(already + rate * minutes) + " liters. A hose pours in " + S(rate) +
               " liters each minute. After how many minutes will the tank be completely full?";
  const int a = m.step({"Liters still missing: {calc}."}, '-', {already + rate * minutes, already});
  m.step({"Minutes of pouring: {calc}."}, '/', {m.value(a), rate}, {a});
  return m;
}

MathProblem shells_split(Rng& r) {
  auto [a, b] = two_people(r);
  const int64_t small = r.range(5, 60), diff = r.range(2, 30);
  MathProblem m;
  m.question = "On a beach walk, " + a.name + " and " + b.name + " picked up " + S(2 * small + diff) +
               " seashells between them. " + a.name + " ended up with " + S(diff) + " shells more than " + b.name +
               ". Find how many seashells " + b.name + " picked up.";
  const int s = m.step({"Removing the extra shells leaves {calc}."}, '-', {2 * small + diff, diff});
  m.step({"Split in two halves: {calc}."}, '/', {m.value(s), 2}, {s});
  return m;
}

MathProblem floor_tiles(Rng& r) {
  const int64_t l = r.range(3, 12), w = r.range(2, 10);
  int64_t cover = r.range(2, 6);
  while ((l * w) % cover != 0) --cover;
  MathProblem m;
  m.question = "A hallway floor measures " + S(l) + " meters by " + S(w) + " meters. One carton of tiles covers " +
               S(cover) + " square meters. What number of cartons is required to tile the whole floor?";
  const int a = m.step({"Floor size: {calc} square meters."}, '*', {l, w});
  m.step({"Cartons required: {calc}."}, '/', {m.value(a), cover}, {a});
  return m;
}

MathProblem cycling(Rng& r) {
  const Person p = r.pick(people());
  const int64_t wd = r.range(3, 20), we = r.range(10, 40), weeks = r.range(2, 6);
  MathProblem m;
  m.question = "Every weekday " + p.name + " rides a bicycle " + S(wd) + " kilometers, and on each weekend day " + p.he +
               " rides " + S(we) + " kilometers. What distance does " + p.he + " cover over " + S(weeks) + " weeks?";
  const int a = m.step({"Weekday kilometers per week: {calc}."}, '*', {wd, 5});
  const int b = m.step({"Weekend kilometers per week: {calc}."}, '*', {we, 2});
  const int c = m.step({"Kilometers per week: {calc}."}, '+', {m.value(a), m.value(b)}, {a, b});
  m.step({"Kilometers over all weeks: {calc}."}, '*', {m.value(c), weeks}, {c});
  return m;
}

MathProblem library_books(Rng& r) {
  const int64_t shelves = r.range(4, 20), per = r.range(20, 60), donated = r.range(5, 90);
  const int64_t lent = r.range(10, shelves * per / 2);
  MathProblem m;
  m.question = "A village library owns " + S(shelves) + " shelves holding " + S(per) +
               " volumes apiece. Readers borrow " + S(lent) + " volumes, and a neighbour donates " + S(donated) +
               " new ones. How many volumes sit in the library now?";
  const int a = m.step({"Volumes at the start: {calc}."}, '*', {shelves, per});
  const int b = m.step({"Volumes after borrowing: {calc}."}, '-', {m.value(a), lent}, {a});
  m.step({"Volumes after the donation: {calc}."}, '+', {m.value(b), donated}, {b});
  return m;
}

MathProblem orchard(Rng& r) {
  const int64_t trees = r.range(3, 15), box = r.range(4, 12), price = r.range(3, 15);
  int64_t apples = r.range(2, 10) * box;
  MathProblem m;
  m.question = "An orchard has " + S(trees) + " trees, and each one yields " + S(apples) +
               " apples. The farmer packs the apples into crates of " + S(box) + " and sells every crate for $" +
               S(price) + ". What is the farmer's income?";
  const int a = m.step({"Apples harvested: {calc}."}, '*', {trees, apples});
  const int b = m.step({"Crates filled: {calc}."}, '/', {m.value(a), box}, {a});
  m.step({"Income in dollars: {calc}."}, '*', {m.value(b), price}, {b});
  return m;
}

}  // namespace

const std::vector<MathTemplate>& math_test_templates() {
  static const std::vector<MathTemplate> t = {fair_tickets, water_tank, shells_split, floor_tiles,
                                              cycling,      library_books, orchard};
  return t;
}

}  // namespace sftx::rt::synth
