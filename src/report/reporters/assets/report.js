(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('idemaudit-data').textContent);
  var X = [Math.log10(2), 1, 2, 3, 4];
  var TICKS = ['p50', 'p90', 'p99', 'p99.9', 'max'];
  if (typeof uPlot === 'function') {
    data.charts.forEach(function (chart, i) {
      var el = document.getElementById('chart-' + i);
      if (!el) return;
      var series = [
        {
          label: 'percentile',
          value: function (u, v) {
            var i = X.indexOf(v);
            return i < 0 ? '-' : TICKS[i];
          },
        },
      ];
      var values = [X];
      chart.series.forEach(function (s) {
        series.push({
          label: s.outcome + ' (n=' + s.count + ')',
          stroke: data.colors[s.outcome] || '#000',
          width: 2,
          points: { show: true, size: 6 },
          value: function (u, v) {
            return v == null ? '-' : v.toFixed(3) + ' ms';
          },
        });
        values.push(s.values);
      });
      new uPlot(
        {
          width: 640,
          height: 300,
          scales: { x: { time: false, range: [0, 4.2] }, y: { distr: 3, log: 10 } },
          axes: [
            {
              splits: function () {
                return X;
              },
              values: function () {
                return TICKS;
              },
            },
            { label: 'latency (ms, log scale)', size: 70 },
          ],
          series: series,
        },
        values,
        el,
      );
    });
  }

  var table = document.getElementById('results');
  if (!table) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var search = document.getElementById('filter-text');
  var verdict = document.getElementById('filter-verdict');
  var level = document.getElementById('filter-level');
  var shown = document.getElementById('shown');
  function filter() {
    var q = search.value.toLowerCase();
    var n = 0;
    rows.forEach(function (row) {
      var ok =
        (!q || row.textContent.toLowerCase().indexOf(q) >= 0) &&
        (!verdict.value || row.getAttribute('data-verdict') === verdict.value) &&
        (!level.value || row.getAttribute('data-level') === level.value);
      row.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + ' of ' + rows.length + ' results';
  }
  [search, verdict, level].forEach(function (el) {
    el.addEventListener('input', filter);
  });
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, col) {
    if (!th.hasAttribute('data-sort')) return;
    th.tabIndex = 0;
    function sort() {
      var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
      heads.forEach(function (h) {
        h.removeAttribute('aria-sort');
      });
      th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
      var numeric = th.getAttribute('data-sort') === 'number';
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-key') || a.cells[col].textContent;
        var y = b.cells[col].getAttribute('data-key') || b.cells[col].textContent;
        var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return c !== 0 ? c * dir : Number(a.getAttribute('data-index')) - Number(b.getAttribute('data-index'));
      });
      rows.forEach(function (row) {
        body.appendChild(row);
      });
    }
    th.addEventListener('click', sort);
    th.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' || e.key === ' ') {
        e.preventDefault();
        sort();
      }
    });
  });
  filter();
})();
