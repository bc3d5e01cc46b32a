// event-counts.js: a query over the whole store (`rewind query`): how many
// events it holds, of each type and in each category.
fromAll().when({
  $init: () => ({ total: 0, byType: {}, byCategory: {} }),
  $any: (s, e) => {
    const category = e.streamId.split('-')[0];
    s.total += 1;
    s.byType[e.eventType] = (s.byType[e.eventType] || 0) + 1;
    s.byCategory[category] = (s.byCategory[category] || 0) + 1;
  },
});
