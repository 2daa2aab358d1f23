/** An erased tenant's signed erasure receipt (GET /v1/admin/tenants/{id}/erasure-receipt). */
import type { operations } from '@bulkhead/client';
import { formatCount, formatTime, formatUsd } from '../format.js';

type Receipt = operations['getErasureReceipt']['responses'][200]['content']['application/json'];

export function ErasureReceipt({ receipt: { receipt, signed } }: { readonly receipt: Receipt }) {
  const finalCost = receipt.finalCosts.reduce((sum, month) => sum + month.totals.costUsd, 0);
  return (
    <section aria-labelledby="receipt-heading">
      <h2 id="receipt-heading">Erasure receipt</h2>
      <p>
        {receipt.tenantId} ({receipt.tier}) was erased from {formatTime(receipt.startedAt)} to{' '}
        {formatTime(receipt.finishedAt)}
        {receipt.siloStackDeleted !== undefined && <>, its silo stack {receipt.siloStackDeleted} deleted</>}.
        Final costs: {formatUsd(finalCost)} over {receipt.finalCosts.length} month(s).
      </p>
      <table>
        <caption>Erased</caption>
        <tbody>
          {Object.entries(receipt.counts).map(([kind, count]) => (
            <tr key={kind}>
              <th scope="row">{kind}</th>
              <td>{formatCount(count)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Signed with the platform's audit digest key <code>{signed.keyId}</code>.
      </p>
    </section>
  );
}
