// Rewind's JavaScript projection prelude.
//
// Evaluated once per projection runtime, before the user's file. It defines
// the KurrentDB-style globals a projection file calls (fromAll, fromStream,
// fromStreams, fromCategory, options, log, emit, linkTo, upcast) and returns
// the internal API that Rewind's Rust side drives (definition, reset, apply,
// partitionOf, rawState, shapedState). Nothing here can reach files, the
// network or processes: the only way out is the `host` object, whose
// functions only record log lines and would-be emits.
(function (global, host) {
  "use strict";

  const KNOWN_OPTIONS = ["resultStreamName", "$includeLinks", "reorderEvents", "processingLag", "biState"];
  const UNSUPPORTED_HANDLERS = ["$initShared", "$created", "$deleted"];
  const TIME = Symbol("createdMs");
  const NOT_JSON = Symbol("notJson");
  const MAX_UPCASTS = 64;

  let selector = null; // {kind: "all" | "streams" | "category", streams, category}
  let partitioning = "none"; // "none" | "stream" | "function"
  let partitionFn = null;
  let handlers = null; // Map eventType -> function
  let initHandler = null;
  let anyHandler = null;
  const shaping = []; // [{kind: "transform" | "filter", fn}] in the order chained
  const upcasters = new Map(); // eventType -> Map(schemaVersion -> function)
  const warnings = [];

  let state = undefined; // the working state (unpartitioned)
  let partitions = new Map(); // partition key -> state (partitioned)
  // The partition the last event went to, to skip the map for runs of
  // events of one stream.
  let lastKey = null;
  let lastState = undefined;

  // Set by definition(): the event types Rewind numbers. apply() gets the
  // number, so that finding an event's handler needs no lookup by name.
  let indexTypes = [];
  let handlerByIndex = [];
  let upcastByIndex = [];

  // ---- the event handed to handlers -------------------------------------

  function parseOr(text) {
    try {
      return [JSON.parse(text), true];
    } catch (_) {
      return [text, false];
    }
  }

  // Events are object literals with this prototype (building a literal is
  // cheaper in QuickJS than running a constructor).
  function ProjectionEvent() {}

  function makeEvent(streamId, eventType, bodyRaw, metadataRaw, sequenceNumber, position, eventId, createdMs, schemaVersion) {
    let data;
    let notJson = false;
    try {
      data = JSON.parse(bodyRaw);
    } catch (_) {
      data = bodyRaw;
      notJson = true;
    }
    const event = {
      __proto__: EVENT_PROTOTYPE, streamId, eventType, data, bodyRaw, metadataRaw,
      sequenceNumber, eventId, position, schemaVersion, partition: null, [TIME]: createdMs,
    };
    if (notJson) event[NOT_JSON] = true;
    return event;
  }

  function defineOwn(target, key, value) {
    Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  }

  // `body`, `metadata`, `created`, `category` and `isJson` live on the
  // prototype: `body` is an alias of `data`, and the others are only worked
  // out when a handler reads them, which keeps building an event cheap.
  const EVENT_PROTOTYPE = ProjectionEvent.prototype;
  Object.defineProperties(EVENT_PROTOTYPE, {
    body: {
      get() { return this.data; },
      set(value) { this.data = value; },
      enumerable: false,
      configurable: true,
    },
    metadata: {
      get() {
        const value = parseOr(this.metadataRaw)[0];
        defineOwn(this, "metadata", value);
        return value;
      },
      set(value) { defineOwn(this, "metadata", value); },
      enumerable: false,
      configurable: true,
    },
    created: {
      get() { return host.created(this[TIME]); },
      enumerable: false,
      configurable: true,
    },
    category: {
      get() { return host.category(this.streamId); },
      enumerable: false,
      configurable: true,
    },
    isJson: {
      get() { return this[NOT_JSON] !== true; },
      enumerable: false,
      configurable: true,
    },
    toJSON: {
      value: function () {
        return {
          streamId: this.streamId, eventType: this.eventType, data: this.data,
          metadata: this.metadata, sequenceNumber: this.sequenceNumber,
          eventId: this.eventId, created: this.created, position: this.position,
          schemaVersion: this.schemaVersion, category: this.category,
          partition: this.partition, isJson: this.isJson,
        };
      },
      enumerable: false,
      configurable: true,
      writable: true,
    },
  });

  // ---- the globals a projection file uses -------------------------------

  function fail(message) {
    throw new Error(message);
  }

  function select(kind, streams, category) {
    if (selector !== null) fail("a projection has one selector: fromAll, fromStream, fromStreams or fromCategory is called twice");
    selector = { kind, streams, category };
    return sourceApi;
  }

  function defineHandlers(object) {
    if (handlers !== null) fail("when({...}) is called twice");
    if (object === null || typeof object !== "object") fail("when(...) takes an object of handlers, such as when({$init: () => ({}), Deposited: (s, e) => ...})");
    handlers = new Map();
    for (const key of Object.keys(object)) {
      const fn = object[key];
      if (typeof fn !== "function") fail(`when({...}): the handler for '${key}' is not a function`);
      if (key === "$init") initHandler = fn;
      else if (key === "$any") anyHandler = fn;
      else if (UNSUPPORTED_HANDLERS.includes(key)) warnings.push(`when({...}): '${key}' handlers are not supported by Rewind and are ignored`);
      else handlers.set(key, fn);
    }
    return resultApi;
  }

  const resultApi = {
    transformBy(fn) {
      if (typeof fn !== "function") fail("transformBy(...) takes a function of the state");
      shaping.push({ kind: "transform", fn });
      return resultApi;
    },
    filterBy(fn) {
      if (typeof fn !== "function") fail("filterBy(...) takes a function of the state");
      shaping.push({ kind: "filter", fn });
      return resultApi;
    },
    outputState() { return resultApi; },
    outputTo() {
      warnings.push("outputTo(...) has no effect in Rewind: results are shown, never written");
      return resultApi;
    },
  };

  const partitionedApi = { when: defineHandlers };

  const sourceApi = {
    when: defineHandlers,
    foreachStream() {
      partitioning = "stream";
      return partitionedApi;
    },
    partitionBy(fn) {
      if (typeof fn !== "function") fail("partitionBy(...) takes a function of the event that returns the partition key");
      partitioning = "function";
      partitionFn = fn;
      return partitionedApi;
    },
  };

  function stringList(args, what) {
    const list = args.length === 1 && Array.isArray(args[0]) ? args[0] : Array.from(args);
    for (const s of list) if (typeof s !== "string") fail(`${what} takes stream ids (strings)`);
    return list;
  }

  global.fromAll = () => select("all", [], null);
  global.fromStream = (id) => select("streams", stringList([id], "fromStream(...)"), null);
  global.fromStreams = function () { return select("streams", stringList(arguments, "fromStreams(...)"), null); };
  global.fromCategory = (name) => {
    if (typeof name !== "string") fail("fromCategory(...) takes a category name, such as fromCategory('account')");
    return select("category", [], name);
  };

  global.options = (object) => {
    if (object === null || typeof object !== "object") fail("options(...) takes an object");
    for (const key of Object.keys(object)) {
      if (!KNOWN_OPTIONS.includes(key)) warnings.push(`options: unknown option '${key}' is ignored`);
    }
  };

  function show(value) {
    if (typeof value === "string") return value;
    try {
      const text = JSON.stringify(value);
      return text === undefined ? String(value) : text;
    } catch (_) {
      return String(value);
    }
  }

  global.log = function () {
    host.log(Array.from(arguments, show).join(" "));
  };

  global.emit = (streamId, eventType, body, metadata) => {
    host.emit(JSON.stringify({ kind: "emit", streamId, eventType, body, metadata }));
  };

  global.linkTo = (streamId, event, metadata) => {
    const target = event && typeof event === "object" ? `${event.sequenceNumber}@${event.streamId}` : String(event);
    const eventId = event && typeof event === "object" ? event.eventId : undefined;
    host.emit(JSON.stringify({ kind: "linkTo", streamId, target, eventId, metadata }));
  };

  // upcast(eventType, schemaVersion, fn): events of that type and schema
  // version go through fn before partitionBy and the handlers see them. fn
  // gets the event and returns the upcast event (or changes it in place and
  // returns nothing); the result's schemaVersion becomes schemaVersion + 1
  // unless fn set another one, and upcasters chain (v1 -> v2 -> v3).
  global.upcast = (eventType, schemaVersion, fn) => {
    if (typeof eventType !== "string") fail("upcast(eventType, schemaVersion, fn): eventType must be a string");
    if (!Number.isInteger(schemaVersion)) fail("upcast(eventType, schemaVersion, fn): schemaVersion must be an integer");
    if (typeof fn !== "function") fail("upcast(eventType, schemaVersion, fn): fn must be a function");
    if (!upcasters.has(eventType)) upcasters.set(eventType, new Map());
    upcasters.get(eventType).set(schemaVersion, fn);
  };

  // ---- what Rewind calls -------------------------------------------------

  function upcastEvent(event) {
    for (let step = 0; step < MAX_UPCASTS; step++) {
      const versions = upcasters.get(event.eventType);
      const fn = versions === undefined ? undefined : versions.get(event.schemaVersion);
      if (fn === undefined) return event;
      const from = event.schemaVersion;
      let result = fn(event);
      if (result === undefined) result = event;
      if (result === null || typeof result !== "object") fail(`the upcaster for ${event.eventType} v${from} returned ${show(result)} instead of an event`);
      // An upcaster that spreads the event ({...e}) copies its own fields;
      // give the copy back the getters (body, metadata, created).
      if (Object.getPrototypeOf(result) === Object.prototype) Object.setPrototypeOf(result, EVENT_PROTOTYPE);
      if (result.schemaVersion === from) result.schemaVersion = from + 1;
      event = result;
    }
    fail(`upcasting ${event.eventType} did not finish after ${MAX_UPCASTS} steps`);
  }

  function initialState() {
    if (initHandler === null) return {};
    const value = initHandler();
    return value === undefined ? {} : value;
  }

  function runHandlers(current, event, handler) {
    if (anyHandler !== null) {
      const next = anyHandler(current, event);
      if (next !== undefined) current = next;
    }
    if (handler !== undefined) {
      const next = handler(current, event);
      if (next !== undefined) current = next;
    }
    return current;
  }

  function partitionKey(event) {
    if (partitioning === "stream") return event.streamId;
    const key = partitionFn(event);
    return key === undefined || key === null ? null : String(key);
  }

  function checkJson(key, value) {
    const type = typeof value;
    if (type === "function") throw new TypeError(`the state holds a function at key '${key}', which is not JSON`);
    if (type === "symbol") throw new TypeError(`the state holds a symbol at key '${key}', which is not JSON`);
    if (type === "bigint") throw new TypeError(`the state holds a BigInt at key '${key}', which is not JSON`);
    return value;
  }

  function stringify(value) {
    const text = JSON.stringify(value, checkJson);
    return text === undefined ? "null" : text;
  }

  const FILTERED = Symbol("filtered");

  function shape(value) {
    if (shaping.length === 0) return value;
    // Shaping works on a copy so that it cannot change the working state.
    value = JSON.parse(stringify(value));
    for (const step of shaping) {
      if (step.kind === "transform") {
        value = step.fn(value);
        if (value === undefined) value = null;
      } else if (!step.fn(value)) {
        return FILTERED;
      }
    }
    return value;
  }

  // valueAt is called with the same pointer after every event of a blame.
  let lastPointer = null;
  let lastTokens = [];

  function collect(shaped) {
    if (partitioning === "none") {
      const value = shaped ? shape(state) : state;
      return stringify(value === FILTERED ? null : value);
    }
    const out = Object.create(null);
    for (const [key, value] of partitions) {
      const shown = shaped ? shape(value) : value;
      if (shown !== FILTERED) defineOwn(out, key, shown);
    }
    return stringify({ partitions: out });
  }

  return {
    definition() {
      if (selector === null) fail("the projection never selects events: start with fromAll(), fromStream(id), fromStreams([ids]) or fromCategory(name)");
      if (handlers === null) fail("the projection never calls when({...}): there are no handlers to run");
      indexTypes = Array.from(new Set([...handlers.keys(), ...upcasters.keys()]));
      handlerByIndex = indexTypes.map((type) => handlers.get(type));
      upcastByIndex = indexTypes.map((type) => upcasters.has(type));
      return JSON.stringify({
        selector,
        partitioning,
        types: indexTypes,
        any: anyHandler !== null,
        shaped: shaping.length > 0,
        warnings,
      });
    },

    reset(json) {
      lastKey = null;
      lastState = undefined;
      if (partitioning === "none") {
        state = json === undefined ? initialState() : JSON.parse(json);
        return;
      }
      partitions = new Map();
      if (json === undefined) return;
      const value = JSON.parse(json);
      const saved = value !== null && typeof value === "object" ? value.partitions : undefined;
      if (saved === null || typeof saved !== "object" || Array.isArray(saved)) {
        fail('the state of a partitioned projection must look like {"partitions": {"key": state, ...}}');
      }
      for (const key of Object.keys(saved)) partitions.set(key, saved[key]);
    },

    // `index` is the event type's number in `types` (-1: a type without
    // handler or upcaster, which only $any sees).
    apply(index, streamId, eventType, bodyRaw, metadataRaw, sequenceNumber, position, eventId, createdMs, schemaVersion) {
      let event = makeEvent(streamId, eventType, bodyRaw, metadataRaw, sequenceNumber, position, eventId, createdMs, schemaVersion);
      let handler;
      if (index >= 0) {
        handler = handlerByIndex[index];
        if (upcastByIndex[index]) {
          event = upcastEvent(event);
          if (event.eventType !== eventType) handler = handlers.get(event.eventType);
        }
      }
      if (partitioning === "none") {
        state = runHandlers(state, event, handler);
        return;
      }
      const key = partitioning === "stream" ? event.streamId : partitionKey(event);
      if (key === null) return;
      event.partition = key;
      let current;
      let isNew = false;
      if (key === lastKey) {
        current = lastState;
      } else {
        current = partitions.get(key);
        isNew = current === undefined && !partitions.has(key);
        if (isNew) current = initialState();
      }
      let next = current;
      if (anyHandler !== null) {
        next = runHandlers(current, event, handler);
      } else if (handler !== undefined) {
        // runHandlers inlined: this is the path nearly every event takes.
        const returned = handler(current, event);
        if (returned !== undefined) next = returned;
      }
      if (isNew || next !== current) partitions.set(key, next);
      lastKey = key;
      lastState = next;
    },

    partitionOf(index, streamId, eventType, bodyRaw, metadataRaw, sequenceNumber, position, eventId, createdMs, schemaVersion) {
      let event = makeEvent(streamId, eventType, bodyRaw, metadataRaw, sequenceNumber, position, eventId, createdMs, schemaVersion);
      if (index >= 0 && upcastByIndex[index]) event = upcastEvent(event);
      return partitionKey(event);
    },

    rawState() { return collect(false); },

    // The JSON text of the value at a JSON Pointer into the raw state, or
    // undefined when absent: blame asks after every event, and this avoids
    // serialising the whole state each time.
    valueAt(pointer) {
      if (pointer !== lastPointer) {
        lastPointer = pointer;
        lastTokens = pointer === "" ? [] : pointer.slice(1).split("/").map(t => t.replace(/~1/g, "/").replace(/~0/g, "~"));
      }
      const tokens = lastTokens.slice();
      let node;
      if (partitioning === "none") {
        node = state;
      } else {
        if (tokens.length === 0) return collect(false);
        if (tokens[0] !== "partitions") return undefined;
        tokens.shift();
        if (tokens.length === 0) return collect(false).slice('{"partitions":'.length, -1);
        const key = tokens.shift();
        if (!partitions.has(key)) return undefined;
        node = partitions.get(key);
      }
      for (const token of tokens) {
        if (node === null || typeof node !== "object" || !Object.prototype.hasOwnProperty.call(node, token)) return undefined;
        node = node[token];
      }
      return node === undefined ? undefined : stringify(node);
    },
    shapedState() { return collect(true); },
  };
});
