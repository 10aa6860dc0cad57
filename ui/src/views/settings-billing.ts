// Settings → Billing: the charge rates (rates.toml beside the settings), a form of its own with
// its own Save, since the rates are a file of their own: merge minutes, the default rate and the
// group rates (added and removed; matched by group id or name, first match wins). Amounts are
// read in the app's language as they are typed ("90,00" in German), each field's problem sits
// under it; the core checks everything again and names the field it refuses.
import * as api from "../api";
import { busy, h, show } from "../dom";
import { errorText, onLanguageChange, t, type MsgKey } from "../i18n";
import { amountForInput, parseAmount } from "../money";
import { announce, showError } from "../notify";

export interface BillingRatesForm {
  el: HTMLElement;
  /** Reads the rates in use from the core (at start and when the tab opens). */
  load(): Promise<void>;
}

interface Check {
  /** Marks or clears the field; false when it is invalid. */
  (): boolean;
}

let nextId = 0;

/** A text field with its error line under it; `check` returns the message key or null. */
function textField(label: MsgKey, className: string, check: (value: string) => [MsgKey, Record<string, string>?] | null, id = `rates-f${nextId++}`) {
  const input = h("input", { id, class: className, attrs: { type: "text", autocomplete: "off", spellcheck: false, "aria-describedby": `${id}-error` } });
  const error = h("p", { id: `${id}-error`, class: "field-error", hidden: true });
  const labelEl = h("label", { attrs: { for: id }, t: label });
  let touched = false;
  const validate: Check = () => {
    const problem = check(input.value);
    error.textContent = problem ? t(problem[0], problem[1]) : "";
    show(error, problem !== null);
    input.setAttribute("aria-invalid", String(problem !== null));
    return problem === null;
  };
  // As the supporter types: once a field was left or submitted, its mark follows every keystroke.
  input.addEventListener("input", () => {
    if (touched) validate();
  });
  input.addEventListener("change", () => {
    touched = true;
    validate();
  });
  onLanguageChange(() => {
    if (touched) validate();
  });
  const el = h("div", { class: "field" }, labelEl, input, error);
  return {
    el,
    input,
    validate: () => {
      touched = true;
      return validate();
    },
  };
}

const amountCheck = (value: string): [MsgKey, Record<string, string>] | null =>
  parseAmount(value) === null ? ["rates.decimal", { example: amountForInput("90.00") }] : null;

const wholeCheck = (min: number, max: number) => (value: string): [MsgKey, Record<string, string>] | null => {
  const n = Number(value.trim());
  return value.trim() !== "" && Number.isInteger(n) && n >= min && n <= max ? null : ["rates.minutesRange", { min: String(min), max: String(max) }];
};

function rateFields(legend: () => string) {
  const name = textField("rates.name", "rate-name", (v) => (v.trim() ? null : ["rates.nameNeeded"]));
  const hourly = textField("rates.hourly", "narrow rate-hourly", amountCheck);
  const currency = textField("rates.currency", "narrow rate-currency", (v) => (/^[A-Za-z]{3}$/.test(v.trim()) ? null : ["rates.currencyInvalid"]));
  const baseFee = textField("rates.baseFee", "narrow rate-base-fee", amountCheck);
  const minimum = textField("rates.minimum", "narrow rate-minimum", wholeCheck(0, 1440));
  const increment = textField("rates.increment", "narrow rate-increment", wholeCheck(1, 1440));
  const free = textField("rates.free", "narrow rate-free", wholeCheck(0, 86400));
  const legendEl = h("legend", { text: legend() });
  onLanguageChange(() => (legendEl.textContent = legend()));
  const all = [name, hourly, currency, baseFee, minimum, increment, free];
  const el = h("fieldset", { class: "plain rate-fields" }, legendEl, h("div", { class: "rate-grid" }, ...all.map((f) => f.el)));
  return {
    el,
    legendEl,
    fill(r: api.RateForm) {
      name.input.value = r.name;
      hourly.input.value = amountForInput(r.hourlyRate);
      currency.input.value = r.currency;
      baseFee.input.value = amountForInput(r.baseFee);
      minimum.input.value = String(r.minimumMinutes);
      increment.input.value = String(r.incrementMinutes);
      free.input.value = String(r.freeUnderSeconds);
    },
    /** The rate, or null after marking the fields that are wrong (the first one focused). */
    read(): api.RateForm | null {
      const bad = all.filter((f) => !f.validate());
      if (bad.length) {
        bad[0]!.input.focus();
        return null;
      }
      return {
        name: name.input.value.trim(),
        hourlyRate: parseAmount(hourly.input.value)!,
        currency: currency.input.value.trim().toUpperCase(),
        baseFee: parseAmount(baseFee.input.value)!,
        minimumMinutes: Number(minimum.input.value.trim()),
        incrementMinutes: Number(increment.input.value.trim()),
        freeUnderSeconds: Number(free.input.value.trim()),
      };
    },
  };
}

export function createBillingRatesForm(): BillingRatesForm {
  const merge = textField("rates.merge", "narrow", wholeCheck(0, 1440), "rates-merge");
  const defaultRate = rateFields(() => t("rates.default"));
  defaultRate.el.id = "rates-default";
  const groupsBox = h("div", { id: "rates-groups" });
  const addGroup = h("button", { id: "rates-add-group", t: "rates.addGroup", attrs: { type: "button" } });
  const problem = h("p", { id: "rates-problem", class: "banner banner-warn", t: "rates.problem", hidden: true, attrs: { role: "note" } });
  const formError = h("p", { id: "rates-error", class: "form-error", hidden: true, attrs: { role: "alert" } });
  const save = h("button", { id: "rates-save", class: "primary", t: "rates.save", attrs: { type: "submit" } });

  interface GroupEntry {
    el: HTMLElement;
    rate: ReturnType<typeof rateFields>;
    groupid: HTMLInputElement;
    groupname: HTMLInputElement;
    error: HTMLElement;
  }
  let groups: GroupEntry[] = [];

  function renumber(): void {
    groups.forEach((g, i) => (g.rate.legendEl.textContent = t("rates.group", { n: String(i + 1) })));
  }
  onLanguageChange(renumber);

  function addGroupEntry(g: api.GroupRateForm | null): GroupEntry {
    const n = nextId++;
    const groupid = h("input", { id: `rates-groupid-${n}`, class: "narrow rate-groupid", attrs: { type: "text", spellcheck: false, "aria-describedby": `rates-group-error-${n}` } });
    const groupname = h("input", { id: `rates-groupname-${n}`, class: "rate-groupname", attrs: { type: "text", spellcheck: false, "aria-describedby": `rates-group-error-${n}` } });
    const error = h("p", { id: `rates-group-error-${n}`, class: "field-error", t: "rates.groupNeeded", hidden: true });
    const rate = rateFields(() => "");
    const remove = h("button", { class: "small rates-remove-group", t: "rates.removeGroup", attrs: { type: "button" } });
    const el = h(
      "div",
      { class: "rate-group" },
      h(
        "div",
        { class: "rate-grid" },
        h("div", { class: "field" }, h("label", { t: "rates.groupId", attrs: { for: groupid.id } }), groupid),
        h("div", { class: "field" }, h("label", { t: "rates.groupName", attrs: { for: groupname.id } }), groupname),
        h("div", { class: "field rate-remove" }, remove),
      ),
      error,
      rate.el,
    );
    const entry: GroupEntry = { el, rate, groupid, groupname, error };
    for (const input of [groupid, groupname]) input.addEventListener("input", () => show(error, false));
    remove.addEventListener("click", () => {
      groups = groups.filter((x) => x !== entry);
      el.remove();
      renumber();
      addGroup.focus();
    });
    groupid.value = g?.groupid ?? "";
    groupname.value = g?.groupname ?? "";
    if (g) rate.fill(g.rate);
    groups.push(entry);
    groupsBox.append(el);
    renumber();
    return entry;
  }

  addGroup.addEventListener("click", () => {
    const entry = addGroupEntry(null);
    // A new group rate starts as a copy of the default, so only what differs needs typing.
    const base = defaultRate.read();
    if (base) entry.rate.fill({ ...base, name: "" });
    entry.groupid.focus();
  });

  function fill(view: api.RatesView): void {
    show(problem, view.problem !== null);
    show(formError, false);
    merge.input.value = String(view.rates.mergeWithinMinutes);
    defaultRate.fill(view.rates.default);
    for (const g of groups) g.el.remove();
    groups = [];
    for (const g of view.rates.groups) addGroupEntry(g);
  }

  function read(): api.RatesForm | null {
    if (!merge.validate()) {
      merge.input.focus();
      return null;
    }
    const def = defaultRate.read();
    if (!def) return null;
    const out: api.GroupRateForm[] = [];
    for (const g of groups) {
      const id = g.groupid.value.trim();
      const name = g.groupname.value.trim();
      if (!id && !name) {
        show(g.error, true);
        g.groupid.focus();
        return null;
      }
      const rate = g.rate.read();
      if (!rate) return null;
      out.push({ groupid: id || null, groupname: name || null, rate });
    }
    return { mergeWithinMinutes: Number(merge.input.value.trim()), default: def, groups: out };
  }

  const form = h(
    "form",
    { id: "rates-form", class: "card settings rates-form", attrs: { novalidate: true, "aria-labelledby": "rates-title" } },
    h("h2", { id: "rates-title", t: "rates.legend" }),
    h("p", { class: "hint", t: "rates.intro" }),
    problem,
    merge.el,
    defaultRate.el,
    h("p", { class: "hint", t: "rates.firstMatch" }),
    groupsBox,
    h("div", { class: "actions" }, addGroup),
    formError,
    h("div", { class: "actions" }, save),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const rates = read();
    if (!rates) return;
    show(formError, false);
    void busy(save, () => api.saveBillingRates(rates))
      .then((view) => {
        fill(view);
        announce("rates.saved");
      })
      .catch((error: unknown) => {
        const err = api.toIpcError(error);
        if (err.kind === "invalid_input") {
          formError.textContent = `${errorText(err.kind)} ${err.message}`;
          show(formError, true);
        } else showError(err);
      });
  });

  return {
    el: form,
    async load() {
      try {
        fill(await api.billingRates());
      } catch (error) {
        showError(api.toIpcError(error));
      }
    },
  };
}
