/* Dashboard charts (Chart.js from npm, bot/console/static/package.json).
   Every page works without this file; the dashboard also shows its figures
   as lists and tables. */
(function () {
  "use strict";
  var node = document.getElementById("dash-data");
  if (!node || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var colours = ["#0b5cad", "#06843b", "#a4161a", "#7a4b00", "#5b2a86", "#00707a"];
  Chart.defaults.font.family = '"Noto Sans Thai", "Loma", sans-serif';
  Chart.defaults.animation = false;  // calm for staff, exact for screenshots
  var channels = Object.keys(data.channels);
  new Chart(document.getElementById("chart-days"), {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: channels.map(function (name, i) {
        return { label: name, data: data.channels[name], backgroundColor: colours[i % colours.length] };
      })
    },
    options: { maintainAspectRatio: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
  });
  var shareNames = Object.keys(data.shares);
  new Chart(document.getElementById("chart-shares"), {
    type: "doughnut",
    data: {
      labels: shareNames,
      datasets: [{ data: shareNames.map(function (k) { return data.shares[k]; }), backgroundColor: ["#06843b", "#7a4b00", "#a4161a"] }]
    },
    options: { maintainAspectRatio: false }
  });
  var topics = Object.keys(data.ratings);
  new Chart(document.getElementById("chart-ratings"), {
    type: "bar",
    data: {
      labels: topics,
      datasets: [
        { label: "👍", data: topics.map(function (t) { return data.ratings[t].good; }), backgroundColor: "#06843b" },
        { label: "👎", data: topics.map(function (t) { return data.ratings[t].bad; }), backgroundColor: "#a4161a" }
      ]
    },
    options: { maintainAspectRatio: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
}());
