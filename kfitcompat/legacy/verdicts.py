"""The verdict of every Keras 2 API row Keras 3 changed, as ordered rules of data.

A rule names the rows it decides (kind, ``fnmatch`` patterns over the path and the member, the
statuses, and whether it is for rows Keras 2 itself had already dropped, i.e. Keras 1 only) and
gives one verdict:

* ``same``: Keras 3 differs only in a way no Keras 2 call can see (a parameter Keras 2 never
  took positionally sits at another index; a method the framework calls, not the user);
* ``translated``: after ``kfitcompat.install()`` the row answers as in Keras 2 (``why`` names
  the mechanism); ``kfitcompat migrate`` rewrites it (``migrate`` names the rule) or reports it;
* ``refused``: kfitcompat does not translate it; ``why`` says why and what to write in Keras 3.

The first matching rule decides (``match``). ``tests/legacy/test_api_table.py`` checks that
every row has a verdict, that no rule is unused, that every ``translated`` row answers as in
Keras 2 after ``install()`` and that ``install()`` changes no row the rules do not call
``translated``.
"""

from __future__ import annotations

from dataclasses import dataclass
from fnmatch import fnmatchcase

from .api import ApiRow

__all__ = ["REFUSED", "RULES", "Rule", "SAME", "TRANSLATED", "match"]

SAME, TRANSLATED, REFUSED = "same", "translated", "refused"
ANY = "*"


@dataclass(frozen=True)
class Rule:
    verdict: str
    why: str
    kinds: tuple[str, ...]
    path: str = ANY
    member: str = ANY
    statuses: tuple[str, ...] = ()  # empty: any status other than "same"
    keras1_only: bool | None = None  # True: rows only Keras 1.2.2 had
    migrate: str = "keras2-api"  # translated: the migrate rule that rewrites or reports it

    @property
    def key(self) -> str:
        return f"{self.verdict}:{'/'.join(self.kinds)}:{self.path}:{self.member}" + (
            f":{','.join(self.statuses)}" if self.statuses else "") + (
            ":k1" if self.keras1_only else "")

    def matches(self, row: ApiRow, status: str) -> bool:
        return (row.kind in self.kinds and fnmatchcase(row.path, self.path)
                and fnmatchcase(row.member, self.member)
                and (not self.statuses or status in self.statuses)
                and (self.keras1_only is None or row.keras1_only == self.keras1_only))


def _t(why: str, *kinds: str, path: str = ANY, member: str = ANY, migrate: str = "keras2-api",
       statuses: tuple[str, ...] = ()) -> Rule:
    return Rule(TRANSLATED, why, kinds, path, member, statuses, None, migrate)


def _r(why: str, *kinds: str, path: str = ANY, member: str = ANY,
       statuses: tuple[str, ...] = (), keras1_only: bool | None = None) -> Rule:
    return Rule(REFUSED, why, kinds, path, member, statuses, keras1_only)


def _s(why: str, *kinds: str, path: str = ANY, member: str = ANY,
       statuses: tuple[str, ...] = ()) -> Rule:
    return Rule(SAME, why, kinds, path, member, statuses)


# Reasons, each stated once
K1_REMOVED = "Keras 1 only: Keras 2 itself had removed it"
INTERNAL = "Keras 2's own machinery, not API a script calls (Keras 3 has no counterpart)"
GRAPH = ("TensorFlow 1 graph-mode machinery (sessions, placeholders, update ops): Keras 3 runs "
         "eagerly or in tf.function; use keras.Input, keras.ops and a layer's call")
UPDATES = ("Keras 3 has no update ops: a layer assigns its state variables inside call "
           "(under `if training:`), and losses are added in call with self.add_loss")
FRAMEWORK_CALLS = ("a method Keras calls itself, positionally (a subclass overrides it; the "
                   "argument's name is not part of any call)")
KEYWORD_ONLY = ("Keras 2's legacy interface refused more positionals than the first ones, so "
                "every working Keras 2 call passed this argument by keyword")
POSITION = "its positional place changed in Keras 3; pass it by keyword"
OPTIMIZER_V1 = ("Keras 2's graph-mode optimizer internals (get_updates, updates, weights): "
                "Keras 3 optimizers apply gradients themselves (optimizer.apply, "
                "optimizer.variables)")
RNN_WEIGHTS = ("Keras 2's per-gate weight slices and RNN internals: Keras 3 keeps one kernel "
               "per cell (slice cell.kernel)")
RNN_BASES = "Keras 2's base classes for writing RNNs; subclass keras.layers.RNN with a cell"
K3_DEFAULT = ("valid Keras 3 code relies on Keras 3's default, so install() keeps it; "
              "kfitcompat migrate writes Keras 2's value out")
ONE_D_FORMAT = ("Keras 2's 1-D layers ignored a channels_first keras.json; Keras 3's follow "
                "it (the same unless keras.json says channels_first); pass "
                "data_format='channels_last'")
TF1_SUMMARIES = ("TensorFlow 1 summary features Keras 3's TensorBoard callback dropped "
                 "(histograms of gradients, embeddings projector data, batch_size)")
RENAMED = "Keras 3 renamed it; pass it positionally"
BUILTINS = ("Keras 2's py_* names were Python's builtins (sum, all, any, slice); these rows "
            "list the backend function of the same name, which Keras 3 answers as keras.ops")
HDF5_LOAD = ("HDF5 loading by layer name and reshaping: Keras 3 loads weights by topology "
             "(kfitcompat convert writes a native file)")
SAME_MEANING = "the same value (Keras 3 spells its default differently)"
K3_KWARGS = "Keras 3 still takes it through **kwargs (a deprecated spelling)"

RULES: tuple[Rule, ...] = (
    # ---- translated rows: the mechanism's name (the verdict itself is measured) ------------
    *(_t("Keras 1 layer names build the Keras 3 layer (keras2/layers.py keras1_class)",
         "name", "param", "keras1", path=f"keras.layers.{names}", migrate="keras1-layer")
      for names in ("*Convolution*", "Deconvolution*")),
    _t("Keras 2's cuDNN-only layers build LSTM / GRU with cuDNN's settings (keras2/layers.py "
       "keras1_class)", "name", "param", path="keras.layers.CuDNN*", migrate="keras1-layer"),
    _t("Keras 2's scikit-learn wrappers (keras2/scikit_learn.py)", "name", "attr", "param",
       path="keras.wrappers.scikit_learn*", migrate="import-moved"),
    _t("Keras 2's default schedule_decay, the one Keras 3's Nadam computes with "
       "(keras2/optimizers.py)", "param", path="keras.optimizers.Nadam",
       member="schedule_decay"),
    _t("Keras 1's nb_classes= (kfitcompat.utils.to_categorical)", "param",
       path="keras.utils*to_categorical", member="nb_classes"),
    _t("Keras 1's np_utils.probas_to_classes (keras2/modules.py)", "name", "param",
       path="keras.utils.np_utils.*probas_to_classes"),
    _t("Keras 2's BaseLogger, accepted: Keras 3 logs the epoch averages itself "
       "(keras2/base_logger.py)", "name", "attr", "param", path="keras.callbacks*.BaseLogger"),
    _t("Keras 1 merge() / Merge (keras2/merge.py)", "name", "param", path="keras.layers.[mM]erge*",
       migrate="keras1-layer"),
    _t("a negative slope, which Keras 3 refuses (keras2/layers.py leaky_relu_init)", "param",
       path="keras.layers.LeakyReLU", member="alpha", migrate="leaky-relu-alpha"),
    _t("Keras 2's base-layer keywords (input_shape=, trainable=, ...) for a Keras 3 layer "
       "(SpatialDropout*) whose __init__ takes no **kwargs (keras2/layers.py keras1_init)", "param",
       path="keras.layers.SpatialDropout*", member="kwargs", migrate="keras2-api"),
    _t("Keras 1/2 layer keywords, defaults and positionals (keras2/layers.py)", "keras1",
       "param", path="keras.layers.*", migrate="keras1-layer"),
    _t("Keras 1's get_output_shape_for, Keras 2's compute_output_shape (keras2/layer_attrs.py)",
       "attr", path="keras.layers.*", member="get_output_shape_for"),
    _t("Keras 2 layer attributes (keras2/layer_attrs.py)", "attr", "param",
       path="keras.layers.Layer*", migrate="keras2-api"),
    _t("Keras 2's locally connected layers, defined by kfitcompat (keras2/local.py)", "name",
       "attr", path="keras.layers.LocallyConnected*"),
    _t("Keras 1's TimeDistributedDense builds TimeDistributed(Dense) (keras2/removed_layers.py)",
       "name", path="keras.layers.TimeDistributedDense"),
    _t("Keras 2's locally connected layers, defined by kfitcompat (keras2/local.py)", "name",
       path="keras.backend*.local_conv*"),
    _t("Keras 1 regularizer names build L1L2 (keras2/regularizers.py)", "name", "param",
       path="keras.regularizers.*"),
    _t("the tensorflow module, which Keras 2's TensorFlow backend imported as tf (K.tf)",
       "name", path="keras.backend*.tf", migrate="backend-tf"),
    _t("kfitcompat's ImageDataGenerator API (kfitcompat.image)", "name", "attr", "param",
       "keras1", path="keras.preprocessing.image*", migrate="image-import"),
    _t("Keras 2 backend function (keras2/backend.py, backend_graph.py, or Keras 3's own "
       "tf.keras 2 backend)", "name", "param", path="keras.backend*", migrate="backend-ops"),
    *(_t("Keras 2's model attributes (keras2/models.py)", "attr", member=member)
      for member in ("input_names", "output_names")),
    _t("the legacy training methods and arguments (training/, legacy_table.py)", "attr",
       "param", "keras1", path="keras.Model*", migrate="fit_generator"),
    _t("the legacy training methods and arguments (training/, legacy_table.py)", "attr",
       "param", "keras1", path="keras.Sequential*", migrate="predict_classes"),
    _t("decay= (keras2/optimizers.py)", "param", path="keras.optimizers.*", member="decay",
       migrate="optimizer-decay"),
    _t("lr= and decay= (keras2/optimizers.py)", "param", "attr", "name",
       path="keras.optimizers.*", migrate="optimizer-lr"),
    _t("Keras 2's TensorBoard arguments for TensorFlow 1 summaries: accepted, dropped with a "
       "warning when they ask for a summary Keras 3 does not write (keras2/callbacks.py)",
       "param", path="keras.callbacks.*TensorBoard", migrate="tensorboard-arguments"),
    _t("Keras 2 callbacks (keras2/callbacks.py)", "param", "attr", "name",
       path="keras.callbacks.*", migrate="callback-period"),
    *(_t("Keras 2 loss and metric names (keras2/losses.py, keras2/attributes.py)", "name",
         "param", "attr", path=f"keras.{module}*", migrate="keras2-alias-import")
      for module in ("losses", "metrics")),
    _t("Keras 2's graph network as keras.Model (keras2/modules.py, keras2/models.py)", "attr",
       "param", "keras1", path="keras.engine*", migrate="import-moved"),
    _t("Keras 2 utilities (kfitcompat.utils, keras2/attributes.py, keras2/conv_utils.py)",
       "name", "param", "attr", path="keras.utils*", migrate="import-moved"),
    _t("Keras 2 model functions and legacy model files (saving/loading.py)", "name", "param",
       "attr", path="keras.models*", migrate="keras2-api"),
    _t("Keras 3's own tf.keras 2 copy (keras.preprocessing.text / sequence)", "name",
       "param", "attr", path="keras.preprocessing.*", migrate="keras2-api"),
    _t("Keras 2 module path importable again (keras2/modules.py MODULES)", "module", "name",
       migrate="import-moved"),

    # ---- Keras 1 only: Keras 2 had already dropped these -----------------------------------
    _r(K1_REMOVED, "module", "name", "param", "attr", "keras1", keras1_only=True),

    # ---- modules ---------------------------------------------------------------------------
    _r("Keras 3 has no cuDNN-only layers: keras.layers.LSTM / GRU use cuDNN by themselves",
       "module", path="keras.layers.cudnn_recurrent"),
    _r(INTERNAL, "module", path="keras.utils.*_utils"),
    _r(INTERNAL, "module", path="keras.legacy.layers"),
    _r("decorators that converted Keras 1 arguments of Keras 2's own layers and optimizers; a "
       "custom optimizer written on get_updates(loss, params) must be rewritten on Keras 3's "
       "Optimizer (build, update_step), a custom layer needs no decorator",
       "module", "name", path="keras.legacy.interfaces*"),
    _r(INTERNAL, "module", path="keras.datasets.cifar"),

    # ---- names -----------------------------------------------------------------------------
    _r("Keras 2's legacy layers (Highway, MaxoutDense) existed only for Keras 1 files",
       "name", path="keras.layers.[HM]*"),
    _r(RNN_BASES, "name", path="keras.layers.Conv*RNN*"),
    _r(RNN_BASES, "name", path="keras.layers.ConvRecurrent2D"),
    _r(RNN_BASES, "name", path="keras.layers.ConvLSTM2DCell"),
    _r(RNN_BASES, "name", path="keras.layers.Recurrent"),
    _r("Keras 2's aliases of AtrousConvolution1D/2D; use Conv1D/Conv2D(dilation_rate=)",
       "name", path="keras.layers.AtrousConv*"),
    _r("BatchNormalization's own backend step; use keras.layers.BatchNormalization", "name",
       path="keras.backend*.normalize_batch_in_training"),
    _r(GRAPH, "name", path="keras.backend*"),
    _r("YAML model configs were removed from tf.keras 2.6 and Keras 3 (arbitrary code "
       "execution); kfitcompat keeps the names importable, raising when called, as tf.keras "
       "did: use to_json() / model_from_json()", "name", path="keras.models.model_from_yaml"),
    _r("wraps a TensorFlow 1 tf.train optimizer: use a Keras 3 optimizer", "name",
       path="keras.optimizers.TFOptimizer"),
    _r("reads an HDF5 dataset lazily as an array: read it with h5py, or feed a tf.data "
       "pipeline or a keras.utils.PyDataset", "name", path="keras.utils.HDF5Matrix"),
    _r("converted Theano kernels (Keras 1 weights): see kfitcompat convert", "name",
       path="keras.utils.convert_all_kernels_in_model"),
    _r("Keras 3 has no metric cloning: build a new metric from its config", "name",
       path="keras.metrics.clone_metric*"),
    _r(INTERNAL, "name", path="keras.*"),

    # ---- parameters ------------------------------------------------------------------------
    _s(FRAMEWORK_CALLS, "param", path="*.call"),
    _s(FRAMEWORK_CALLS, "param", path="*.build"),
    _s(FRAMEWORK_CALLS, "param", path="*.compute_*"),
    _s(FRAMEWORK_CALLS, "param", path="keras.callbacks.*.on_*"),
    _s("Keras 2.2.4's applications forwarded *args/**kwargs to keras_applications, whose "
       "parameters Keras 3 keeps", "param", path="keras.applications.*", member="*args"),
    _s(KEYWORD_ONLY, "param", path="keras.layers.*", statuses=("position",)),
    _s(SAME_MEANING, "param", path="keras.layers.ZeroPadding3D", member="padding"),
    _s(SAME_MEANING, "param", path="keras.callbacks.*TensorBoard", member="log_dir"),
    _s(SAME_MEANING + ": Keras 2's 'normal' drew from a truncated normal", "param",
       path="keras.initializers.VarianceScaling", member="distribution"),
    # omitted, the two defaults are one value; an explicit `epsilon=None` is translated by
    # install() (keras2/optimizers.py epsilon_init) and rewritten by rule optimizer-epsilon
    _s(SAME_MEANING + ": None meant K.epsilon() (1e-7)", "param", path="keras.optimizers.*",
       member="epsilon", statuses=("default",)),
    _s(K3_KWARGS + " and ignores it: it only chose among Keras 2's kernels for the same math",
       "param", path="keras.layers.*", member="implementation"),
    _s(K3_KWARGS, "param", path="keras.layers.dot", member="normalize"),
    _s(K3_KWARGS, "param", path="keras.models.save_model", member="include_optimizer"),
    _s(BUILTINS, "param", path="keras.backend*.py_*"),
    _r(ONE_D_FORMAT, "param", path="keras.layers.*1D", member="data_format"),
    _r("kfitcompat follows Keras 2.2.4: data_format=None reads keras.json (Keras 2.3.1 fixed "
       "'channels_last'); the same unless keras.json says channels_first", "param",
       path="keras.preprocessing.image.*", member="data_format"),
    _s("None means keras.config.floatx() (float32), Keras 2's default", "param",
       path="keras.preprocessing.image.*", member="dtype"),
    _s(K3_KWARGS + " (Keras 3's Callback calls on_batch_begin / on_batch_end)", "param",
       path="keras.callbacks.LambdaCallback", member="on_batch_*"),
    _r("display only: Keras 3's verbose='auto' prints a progress bar (predict included); "
       "pass verbose=0 or 1", "param", path="keras.Model.*", member="verbose"),
    _r("Keras 3 keeps metrics accumulating across train_on_batch calls until "
       "model.reset_metrics()", "param", path="keras.Model.*_on_batch", member="reset_metrics"),
    _r(GRAPH, "param", path="keras.Model.compile", member="target_tensors"),
    _r(RENAMED + " (negative_slope)", "param", path="keras.activations.relu", member="alpha"),
    _r(RENAMED + " (config)", "param", path="keras.activations.deserialize", member="name"),
    _r("Keras 3's progress bar counts steps", "param", path="keras.callbacks.ProgbarLogger"),
    _r("Keras 3's Metric takes name and dtype only", "param", path="keras.metrics.Metric",
       member="kwargs"),
    _r(K3_DEFAULT + " (Keras 2: hard_sigmoid; saved Keras 2 files carry their own value)",
       "param", path="keras.layers.*", member="recurrent_activation"),
    _r(K3_DEFAULT + " (Keras 2: reset_after=False; saved Keras 2 files carry their own "
       "value)", "param", path="keras.layers.GRU*", member="reset_after"),
    _r(K3_DEFAULT, "param", path="keras.optimizers.*", member="learning_rate"),
    _r(K3_DEFAULT + " (Keras 2: l1=l2=0.01)", "param", path="keras.regularizers.l1_l2"),
    _r(RENAMED + " (l1 / l2)", "param", path="keras.regularizers.l[12]", member="l"),
    _r(RENAMED + " (value)", "param", path="keras.backend*.set_*"),
    _r(POSITION, "param", path="keras.callbacks.*TensorBoard", statuses=("position",)),
    _r(TF1_SUMMARIES, "param", path="keras.callbacks.*TensorBoard"),
    _r(HDF5_LOAD, "param", path="*.load_weights"),
    _r("Keras 3 saves the optimizer with every .keras file", "param", path="*.save",
       member="include_optimizer"),
    _r("Keras 3's ctc_decode has no merge_repeated", "param", path="keras.backend*.ctc_decode"),
    _r("Keras 3 draws without layer names by default; pass show_layer_names=True", "param",
       path="keras.utils.*", member="show_layer_names"),
    _r("Keras 3 names the metric in the logs by its own default", "param",
       path="keras.[lm]*", member="name", statuses=("default",)),
    _r(INTERNAL, "param", path="keras.datasets.*"),
    _r(POSITION, "param", path="keras.utils.*", statuses=("position",)),
    _r(INTERNAL, "param", path="keras.utils.*"),
    _r(INTERNAL, "param", path="keras.preprocessing.text.*"),
    _r(INTERNAL, "param", path="keras.Model.*", member="kwargs"),
    _r(POSITION, "param", statuses=("position",)),
    _r(INTERNAL, "param"),

    # ---- attributes ------------------------------------------------------------------------
    _r(OPTIMIZER_V1, "attr", path="keras.optimizers.*"),
    _r("Keras 2.2's deprecated alias of the model itself (an attribute that names its owner "
       "would send Keras 3's saving into a loop); use the model", "attr",
       path="keras.Sequential", member="model"),
    _r(RNN_WEIGHTS, "attr", path="keras.layers.*Cell"),
    _r(RNN_WEIGHTS, "attr", path="keras.layers.RNN"),
    _r(RNN_WEIGHTS, "attr", path="keras.layers.StackedRNNCells"),
    _r(UPDATES, "attr", member="*update*"),
    _r(UPDATES, "attr", member="get_losses_for"),
    _r("masks travel with tensors in Keras 3 (layer.compute_mask)", "attr",
       member="*mask*"),
    _r("YAML model configs were removed from tf.keras 2.6 and Keras 3 (arbitrary code "
       "execution): use to_json()", "attr", member="to_yaml"),
    _r(GRAPH, "attr", path="keras.Model"),
    _r(GRAPH, "attr", path="*.Network"),
    _r(TF1_SUMMARIES, "attr", path="keras.callbacks.TensorBoard"),
    _r("Keras 3 renamed it (implementation chose among kernels; LeakyReLU.negative_slope, "
       "DepthwiseConv2D.kernel, Embedding builds from its input)", "attr", path="keras.layers.*",
       member="[ildp]*"),
    _r(INTERNAL, "attr"),

    # ---- Keras 1 spellings Keras 2 accepted ------------------------------------------------
    _r("meaningless for this method (Keras 2 renamed it to an argument the method rejects)",
       "keras1", path="keras.Model.[ep]*_generator"),
    _r(INTERNAL, "keras1"),
)


def match(row: ApiRow, status: str, verdicts: tuple[str, ...] = (SAME, REFUSED)
          ) -> Rule | None:
    """The first rule giving one of ``verdicts`` that matches ``row`` (whose Keras 3 status
    is ``status``): a ``same`` or ``refused`` decision by default, the mechanism of a
    ``translated`` row with ``(TRANSLATED,)``."""
    for rule in RULES:
        if rule.verdict in verdicts and rule.matches(row, status):
            return rule
    return None
