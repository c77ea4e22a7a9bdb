"""scikit-learn's side of the probe benchmarks (bench/probe.ts, bench/units.ts): one JSON request a
line on stdin, one JSON answer a line on stdout, each timed fit measured here, in this process.

It runs what layerwise runs, with scikit-learn's estimators:
  - fixed:  StandardScaler + LogisticRegression(lbfgs, C) on all rows;
  - tuned:  LinearProbe's λ walk (same split, C grid from strong to weak, patience, secant-predicted
            warm starts, 3× the final tolerance),
            then a refit on all rows at the chosen λ, warm-started from the walk;
  - mlp:    MLPClassifier(hidden, adam, early_stopping=True, validation_fraction=0.1, n_iter_no_change=10);
  - unit:   one lab unit (study/unit.ts): the tuned task probe scored on dev and test, the control
            task at the task probe's λ, and the MDL online codelength with a tuned probe per block
            (λ by held-out log-loss; an absent class priced 1/(n + K), as LinearProbe does).
Needs numpy and scikit-learn (Debian's python3-sklearn under /usr/bin/python3 has both).
"""
import json
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

GRID_C = [10 ** (-3 + i / 2) for i in range(13)]  # LinearProbe's default grid in C units
PATIENCE = 3


def fixed(X, y, C):
    scaler = StandardScaler().fit(X)
    return scaler, LogisticRegression(C=C, max_iter=100, tol=1e-4).fit(scaler.transform(X), y), 1 / (C * len(y))


class AsGiven:
    """No scaling (LinearProbe with standardize: false), for MDL's blocks of pre-standardized rows."""
    def fit(self, X):
        return self

    def transform(self, X):
        return X


def tuned(X, y, fit_rows, val_rows, grid=GRID_C, patience=PATIENCE, select_by='accuracy', num_classes=None, scaling=StandardScaler):
    """LinearProbe's search: λ on a held-out split walking C up (best accuracy, or with
    select_by='log_loss' the least held-out cross-entropy, as MDL's blocks), then a warm-started
    refit on all rows."""
    if fit_rows is None:  # too few rows to hold some out: LinearProbe's default λ = 1/n, C = 1
        scaler = scaling().fit(X)
        return scaler, LogisticRegression(C=1.0, max_iter=100, tol=1e-4).fit(scaler.transform(X), y), 1 / len(y)
    scaler = scaling().fit(X[fit_rows])
    Xf, Xv = scaler.transform(X[fit_rows]), scaler.transform(X[val_rows])
    # As LinearProbe's walk: each step solved to 3× the final tolerance, starting at the secant
    # prediction from the last two solutions.
    model = LogisticRegression(max_iter=100, tol=3e-4, warm_start=True)
    best, since, path = None, 0, []
    for c in sorted(grid):
        if len(path) == 2:
            model.coef_, model.intercept_ = 2 * path[1][0] - path[0][0], 2 * path[1][1] - path[0][1]
        model.set_params(C=c).fit(Xf, y[fit_rows])
        path = (path + [(model.coef_.copy(), model.intercept_.copy())])[-2:]
        if select_by == 'log_loss':  # mean held-out log-likelihood: higher is better, as for accuracy
            score = np.mean(log_proba_all(model, Xv, len(fit_rows), num_classes)[np.arange(len(val_rows)), y[val_rows]])
        else:
            score = model.score(Xv, y[val_rows])
        if best is None or score > best[1]:
            best, since = (c, score, model.coef_.copy(), model.intercept_.copy()), 0
        else:
            since += 1
            if since >= patience:
                break
    lam = 1 / (best[0] * len(fit_rows))
    scaler = scaling().fit(X)
    final = LogisticRegression(C=1 / (lam * len(y)), max_iter=100, tol=1e-4, warm_start=True)
    if len(np.unique(y[fit_rows])) == len(np.unique(y)):  # else the walk's coefficients lack a class: start cold
        final.coef_, final.intercept_ = best[2], best[3]
    return scaler, final.fit(scaler.transform(X), y), lam


def mlp(X, y, hidden):
    scaler = StandardScaler().fit(X)
    model = MLPClassifier(hidden_layer_sizes=(hidden,), solver='adam', early_stopping=True, validation_fraction=0.1,
                          n_iter_no_change=10, random_state=0).fit(scaler.transform(X), y)
    return scaler, model, model.alpha


def log_proba_all(model, Xs, n_train, num_classes):
    """Natural-log probabilities of every class for scaled rows, as LinearProbe gives them: a class
    absent from the n training rows (scikit-learn fits no column for it) gets 1/(n + K), the
    present classes scikit-learn's probabilities times what is left."""
    present = model.predict_log_proba(Xs)
    absent = num_classes - len(model.classes_)
    out = np.full((len(Xs), num_classes), np.log(1 / (n_train + num_classes)))
    out[:, model.classes_] = present + np.log1p(-absent / (n_train + num_classes))
    return out


def unit(d):
    X, y = np.load(d + '/train.npy'), np.load(d + '/y_train.npy').astype(int)
    spec = json.load(open(d + '/unit.json'))
    k = spec['num_classes']
    rows = lambda key: None if spec[key] is None else np.array(spec[key], dtype=int)
    out = {}
    t = time.perf_counter()
    scaler, model, lam = tuned(X, y, rows('fit_rows'), rows('val_rows'))
    out['test_accuracy'] = float(model.score(scaler.transform(np.load(d + '/test.npy')), np.load(d + '/y_test.npy').astype(int)))
    out['dev_accuracy'] = float(model.score(scaler.transform(np.load(d + '/dev.npy')), np.load(d + '/y_dev.npy').astype(int)))
    out['task_seconds'] = time.perf_counter() - t
    out['l2'] = lam
    if spec['control']:
        t = time.perf_counter()
        control = LogisticRegression(C=1 / (lam * len(y)), max_iter=100, tol=1e-4).fit(scaler.transform(X), np.load(d + '/y_control_train.npy').astype(int))
        out['control_accuracy'] = float(control.score(scaler.transform(np.load(d + '/test.npy')), np.load(d + '/y_control_test.npy').astype(int)))
        out['control_seconds'] = time.perf_counter() - t
    if spec['mdl']:
        t = time.perf_counter()
        order, ends = np.array(spec['mdl']['order'], dtype=int), spec['mdl']['ends']
        Xs = StandardScaler().fit_transform(X)  # once, with all rows' statistics, as onlineCodelength does
        bits = ends[0] * np.log2(k)
        for b in range(1, len(ends)):
            seen, nxt = order[:ends[b - 1]], order[ends[b - 1]:ends[b]]
            split = spec['mdl']['splits'][b - 1]
            fit_rows, val_rows = (None, None) if split is None else (np.array(split[0], dtype=int), np.array(split[1], dtype=int))
            if len(np.unique(y[seen])) < 2:  # scikit-learn cannot fit one class: that block is sent with the uniform code
                bits += len(nxt) * np.log2(k)
                continue
            scaler_b, model_b, _ = tuned(Xs[seen], y[seen], fit_rows, val_rows, select_by='log_loss', num_classes=k, scaling=AsGiven)
            bits -= log_proba_all(model_b, scaler_b.transform(Xs[nxt]), len(seen), k)[np.arange(len(nxt)), y[nxt]].sum() / np.log(2)
        out['mdl_bits'] = float(bits)
        out['mdl_seconds'] = time.perf_counter() - t
    out['seconds'] = out['task_seconds'] + out.get('control_seconds', 0) + out.get('mdl_seconds', 0)
    return out


data = {}
for line in sys.stdin:
    request = json.loads(line)
    if 'load' in request:
        d = request['load']
        data = {'Xtr': np.load(d + '/X_train.npy'), 'Xte': np.load(d + '/X_test.npy'),
                'ytr': np.loadtxt(d + '/y_train.txt', dtype=int), 'yte': np.loadtxt(d + '/y_test.txt', dtype=int),
                'fit_rows': np.load(d + '/fit_rows.npy').astype(int), 'val_rows': np.load(d + '/validation_rows.npy').astype(int)}
        print(json.dumps({}), flush=True)
        continue
    if request['run'] == 'unit':
        print(json.dumps(unit(request['dir'])), flush=True)
        continue
    Xtr, ytr = data['Xtr'], data['ytr']
    run = {'fixed': lambda: fixed(Xtr, ytr, request['C']),
           'tuned': lambda: tuned(Xtr, ytr, data['fit_rows'], data['val_rows'], request['grid'], request['patience']),
           'mlp': lambda: mlp(Xtr, ytr, request['hidden'])}[request['run']]
    t = time.perf_counter()
    scaler, model, l2 = run()
    seconds = time.perf_counter() - t
    print(json.dumps({'seconds': seconds, 'accuracy': float(model.score(scaler.transform(data['Xte']), data['yte'])),
                      'iterations': int(np.max(model.n_iter_)), 'l2': float(l2)}), flush=True)
