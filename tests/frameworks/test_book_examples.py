"""The book's worked examples as PyTorch and scikit-learn compute them.

The pages cannot import these libraries (they are not book dependencies), so each sentence a page
writes about what a library reports for its example is proved here, on that example's data.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch")
metrics = pytest.importorskip("sklearn.metrics")

import lossref  # noqa: E402

# comparing-classifiers.md: the wiki notes' models X and Y on three samples, classes A, B, C.
MODEL_X = np.array([[0.3, 0.3, 0.4], [0.3, 0.4, 0.3], [0.1, 0.2, 0.7]])
MODEL_Y = np.array([[0.1, 0.2, 0.7], [0.1, 0.7, 0.2], [0.3, 0.4, 0.3]])
ONE_HOT = np.array([[0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
# svm-hinge.md: CS231n's cat / car / frog scores, one row per image, labels cat, car, frog.
SCORES = np.array([[3.2, 5.1, -1.7], [1.3, 4.9, 2.0], [2.2, 2.5, -3.1]])
LABELS = np.array([0, 1, 2])


@pytest.mark.parametrize(
    ("outputs", "notes_mse", "library_mse"), [(MODEL_X, 0.81, 0.2689), (MODEL_Y, 0.34, 0.1133)]
)
def test_pytorch_and_sklearn_report_the_notes_mse_divided_by_three(outputs, notes_mse, library_mse):
    """comparing-classifiers: the notes' MSE (0.81, 0.34) sums over the classes; PyTorch's
    mse_loss and scikit-learn's mean_squared_error average over all 9 entries (0.2689, 0.1133)."""
    notes = lossref.squared_error(outputs, ONE_HOT)
    torch_mse = float(torch.nn.functional.mse_loss(torch.tensor(outputs), torch.tensor(ONE_HOT)))
    sklearn_mse = float(metrics.mean_squared_error(ONE_HOT, outputs))
    assert round(notes, 2) == notes_mse
    assert round(torch_mse, 4) == round(sklearn_mse, 4) == library_mse
    assert torch_mse == pytest.approx(notes / 3, rel=1e-12)


def test_pytorch_multi_margin_loss_divides_the_cs231n_example_by_the_classes():
    """svm-hinge: PyTorch's multi_margin_loss gives 5.2667 / 3 = 1.7556 on cat / car / frog."""
    torch_loss = float(
        torch.nn.functional.multi_margin_loss(torch.tensor(SCORES), torch.tensor(LABELS))
    )
    assert round(lossref.multiclass_hinge(SCORES, LABELS), 4) == 5.2667
    assert round(torch_loss, 4) == 1.7556
    assert torch_loss * 3 == pytest.approx(lossref.multiclass_hinge(SCORES, LABELS), rel=1e-12)
