/*********************************************************
Model Name      : km
Filename        : km.mod
NMODL Version   : 7.7.0
Vectorized      : true
Threadsafe      : true
Created         : Fri Dec  4 14:39:06 2026
Simulator       : CoreNEURON
Backend         : C++ (api-compatibility)
NMODL Compiler  : 9.0.2 []
*********************************************************/

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <coreneuron/gpu/nrn_acc_manager.hpp>
#include <coreneuron/mechanism/mech/mod2c_core_thread.hpp>
#include <coreneuron/mechanism/register_mech.hpp>
#include <coreneuron/nrnconf.h>
#include <coreneuron/nrniv/nrniv_decl.h>
#include <coreneuron/sim/multicore.hpp>
#include <coreneuron/sim/scopmath/newton_thread.hpp>
#include <coreneuron/utils/ivocvect.hpp>
#include <coreneuron/utils/nrnoc_aux.hpp>
#include <coreneuron/utils/randoms/nrnran123.h>


namespace coreneuron {
    #ifndef NRN_PRCELLSTATE
    #define NRN_PRCELLSTATE 0
    #endif


    /** channel information */
    static const char *mechanism_info[] = {
        "7.7.0",
        "km",
        "gbar_km",
        0,
        "gk_km",
        "ninf_km",
        "ntau_km",
        "tadj_km",
        0,
        "n_km",
        0,
        0
    };


    /** all global variables */
    struct km_Store {
        int k_type{};
        double n0{};
        int reset{};
        int mech_type{};
        double tha{-30};
        double qa{9};
        double Ra{0.001};
        double Rb{0.001};
        double temp{23};
        double q10{2.3};
        double tshift{30.7};
        int slist1[1]{5};
        int dlist1[1]{6};
        double usetable{1};
        double tmin_rates{};
        double mfac_rates{};
        double t_ninf[200]{};
        double t_ntau[200]{};
    };
    static_assert(std::is_trivially_copy_constructible_v<km_Store>);
    static_assert(std::is_trivially_move_constructible_v<km_Store>);
    static_assert(std::is_trivially_copy_assignable_v<km_Store>);
    static_assert(std::is_trivially_move_assignable_v<km_Store>);
    static_assert(std::is_trivially_destructible_v<km_Store>);
    static km_Store km_global;


    /** all mechanism instance variables and global variables */
    struct km_Instance  {
        double* celsius{&coreneuron::celsius};
        const double* gbar{};
        double* gk{};
        double* ninf{};
        double* ntau{};
        double* tadj{};
        double* n{};
        double* Dn{};
        double* ek{};
        double* ik{};
        double* v_unused{};
        double* g_unused{};
        const double* ion_ek{};
        double* ion_ik{};
        double* ion_dikdv{};
        km_Store* global{&km_global};
    };


    /** connect global (scalar) variables to hoc -- */
    static DoubScal hoc_scalar_double[] = {
        {"tha_km", &km_global.tha},
        {"qa_km", &km_global.qa},
        {"Ra_km", &km_global.Ra},
        {"Rb_km", &km_global.Rb},
        {"temp_km", &km_global.temp},
        {"q10_km", &km_global.q10},
        {"tshift_km", &km_global.tshift},
        {"usetable_km", &km_global.usetable},
        {nullptr, nullptr}
    };


    /** connect global (array) variables to hoc -- */
    static DoubVec hoc_vector_double[] = {
        {nullptr, nullptr, 0}
    };


    static inline int first_pointer_var_index() {
        return -1;
    }


    static inline int first_random_var_index() {
        return -1;
    }


    static inline int float_variables_size() {
        return 11;
    }


    static inline int int_variables_size() {
        return 3;
    }


    static inline int get_mech_type() {
        return km_global.mech_type;
    }


    static inline Memb_list* get_memb_list(NrnThread* nt) {
        if (!nt->_ml_list) {
            return nullptr;
        }
        return nt->_ml_list[get_mech_type()];
    }


    static inline void* mem_alloc(size_t num, size_t size, size_t alignment = 64) {
        size_t aligned_size = ((num*size + alignment - 1) / alignment) * alignment;
        void* ptr = aligned_alloc(alignment, aligned_size);
        memset(ptr, 0, aligned_size);
        return ptr;
    }


    static inline void mem_free(void* ptr) {
        free(ptr);
    }


    static inline void coreneuron_abort() {
        abort();
    }

    // Allocate instance structure
    static void nrn_private_constructor_km(NrnThread* nt, Memb_list* ml, int type) {
        assert(!ml->instance);
        assert(!ml->global_variables);
        assert(ml->global_variables_size == 0);
        auto* const inst = new km_Instance{};
        assert(inst->global == &km_global);
        ml->instance = inst;
        ml->global_variables = inst->global;
        ml->global_variables_size = sizeof(km_Store);
    }

    // Deallocate the instance structure
    static void nrn_private_destructor_km(NrnThread* nt, Memb_list* ml, int type) {
        auto* const inst = static_cast<km_Instance*>(ml->instance);
        assert(inst);
        assert(inst->global);
        assert(inst->global == &km_global);
        assert(inst->global == ml->global_variables);
        assert(ml->global_variables_size == sizeof(km_Store));
        delete inst;
        ml->instance = nullptr;
        ml->global_variables = nullptr;
        ml->global_variables_size = 0;
    }

    /** initialize mechanism instance variables */
    static inline void setup_instance(NrnThread* nt, Memb_list* ml) {
        auto* const inst = static_cast<km_Instance*>(ml->instance);
        assert(inst);
        assert(inst->global);
        assert(inst->global == &km_global);
        assert(inst->global == ml->global_variables);
        assert(ml->global_variables_size == sizeof(km_Store));
        int pnodecount = ml->_nodecount_padded;
        Datum* indexes = ml->pdata;
        inst->gbar = ml->data+0*pnodecount;
        inst->gk = ml->data+1*pnodecount;
        inst->ninf = ml->data+2*pnodecount;
        inst->ntau = ml->data+3*pnodecount;
        inst->tadj = ml->data+4*pnodecount;
        inst->n = ml->data+5*pnodecount;
        inst->Dn = ml->data+6*pnodecount;
        inst->ek = ml->data+7*pnodecount;
        inst->ik = ml->data+8*pnodecount;
        inst->v_unused = ml->data+9*pnodecount;
        inst->g_unused = ml->data+10*pnodecount;
        inst->ion_ek = nt->_data;
        inst->ion_ik = nt->_data;
        inst->ion_dikdv = nt->_data;
    }



    static void nrn_alloc_km(double* data, Datum* indexes, int type) {
        // do nothing
    }


    void nrn_constructor_km(NrnThread* nt, Memb_list* ml, int type) {
        #ifndef CORENEURON_BUILD
        int nodecount = ml->nodecount;
        int pnodecount = ml->_nodecount_padded;
        const int* node_index = ml->nodeindices;
        double* data = ml->data;
        const double* voltage = nt->_actual_v;
        Datum* indexes = ml->pdata;
        ThreadDatum* thread = ml->_thread;
        auto* const inst = static_cast<km_Instance*>(ml->instance);

        #endif
    }


    void nrn_destructor_km(NrnThread* nt, Memb_list* ml, int type) {
        #ifndef CORENEURON_BUILD
        int nodecount = ml->nodecount;
        int pnodecount = ml->_nodecount_padded;
        const int* node_index = ml->nodeindices;
        double* data = ml->data;
        const double* voltage = nt->_actual_v;
        Datum* indexes = ml->pdata;
        ThreadDatum* thread = ml->_thread;
        auto* const inst = static_cast<km_Instance*>(ml->instance);

        #endif
    }


    inline static int rates_km(int id, int pnodecount, km_Instance* inst, double* data, const Datum* indexes, ThreadDatum* thread, NrnThread* nt, double v, double _lv);


    inline int f_rates_km(int id, int pnodecount, km_Instance* inst, double* data, const Datum* indexes, ThreadDatum* thread, NrnThread* nt, double v, double _lv) {
        int ret_f_rates = 0;
        double a, b, q;
        q = pow(inst->global->q10, ((*(inst->celsius) - inst->global->temp - inst->global->tshift) / 10.0));
        a = inst->global->Ra * (_lv - inst->global->tha) / (1.0 - exp( -(_lv - inst->global->tha) / inst->global->qa));
        b =  -inst->global->Rb * (_lv - inst->global->tha) / (1.0 - exp((_lv - inst->global->tha) / inst->global->qa));
        inst->ntau[id] = 1.0 / (q * (a + b));
        inst->ninf[id] = a / (a + b);
        return ret_f_rates;
    }


    void update_table_rates_km(int id, int pnodecount, km_Instance* inst, double* data, const Datum* indexes, ThreadDatum* thread, NrnThread* nt, double v) {
        if (inst->global->usetable == 0) {
            return;
        }
        static bool make_table = true;
        static double save_celsius;
        if (save_celsius != *(inst->celsius)) {
            make_table = true;
        }
        if (make_table) {
            make_table = false;
            inst->global->tmin_rates =  -120.0;
            double tmax = 100.0;
            double dx = (tmax-inst->global->tmin_rates) / 199.;
            inst->global->mfac_rates = 1./dx;
            double x = inst->global->tmin_rates;
            for (std::size_t i = 0; i < 200; x += dx, i++) {
                f_rates_km(id, pnodecount, inst, data, indexes, thread, nt, v, x);
                inst->global->t_ninf[i] = inst->ninf[id];
                inst->global->t_ntau[i] = inst->ntau[id];
            }
            save_celsius = *(inst->celsius);
        }
    }


    inline static int rates_km(int id, int pnodecount, km_Instance* inst, double* data, const Datum* indexes, ThreadDatum* thread, NrnThread* nt, double v, double _lv){
        if (inst->global->usetable == 0) {
            f_rates_km(id, pnodecount, inst, data, indexes, thread, nt, v, _lv);
            return 0;
        }
        double xi = inst->global->mfac_rates * (_lv - inst->global->tmin_rates);
        if (isnan(xi)) {
            inst->ninf[id] = xi;
            inst->ntau[id] = xi;
            return 0;
        }
        if (xi <= 0. || xi >= 199.) {
            int index = (xi <= 0.) ? 0 : 199;
            inst->ninf[id] = inst->global->t_ninf[index];
            inst->ntau[id] = inst->global->t_ntau[index];
            return 0;
        }
        int i = int(xi);
        double theta = xi - double(i);
        inst->ninf[id] = inst->global->t_ninf[i] + theta*(inst->global->t_ninf[i+1]-inst->global->t_ninf[i]);
        inst->ntau[id] = inst->global->t_ntau[i] + theta*(inst->global->t_ntau[i+1]-inst->global->t_ntau[i]);
        return 0;
    }


    /** initialize channel */
    void nrn_init_km(NrnThread* nt, Memb_list* ml, int type) {
        int nodecount = ml->nodecount;
        int pnodecount = ml->_nodecount_padded;
        const int* node_index = ml->nodeindices;
        double* data = ml->data;
        const double* voltage = nt->_actual_v;
        Datum* indexes = ml->pdata;
        ThreadDatum* thread = ml->_thread;

        setup_instance(nt, ml);
        auto* const inst = static_cast<km_Instance*>(ml->instance);

        if (_nrn_skip_initmodel == 0) {
            #pragma omp simd
            #pragma ivdep
            for (int id = 0; id < nodecount; id++) {
                int node_id = node_index[id];
                double v = voltage[node_id];
                #if NRN_PRCELLSTATE
                inst->v_unused[id] = v;
                #endif
                inst->ek[id] = inst->ion_ek[indexes[0*pnodecount + id]];
                inst->n[id] = inst->global->n0;
                inst->tadj[id] = pow(inst->global->q10, ((*(inst->celsius) - inst->global->temp - inst->global->tshift) / 10.0));
                rates_km(id, pnodecount, inst, data, indexes, thread, nt, v, v);
                inst->n[id] = inst->ninf[id];
            }
        }
    }


    inline double nrn_current_km(int id, int pnodecount, km_Instance* inst, double* data, const Datum* indexes, ThreadDatum* thread, NrnThread* nt, double v) {
        double current = 0.0;
        inst->gk[id] = inst->tadj[id] * inst->gbar[id] * inst->n[id];
        inst->ik[id] = (1e-4) * inst->gk[id] * (v - inst->ek[id]);
        current += inst->ik[id];
        return current;
    }


    /** update current */
    void nrn_cur_km(NrnThread* nt, Memb_list* ml, int type) {
        int nodecount = ml->nodecount;
        int pnodecount = ml->_nodecount_padded;
        const int* node_index = ml->nodeindices;
        double* data = ml->data;
        const double* voltage = nt->_actual_v;
        double* vec_rhs = nt->_actual_rhs;
        double* vec_d = nt->_actual_d;
        Datum* indexes = ml->pdata;
        ThreadDatum* thread = ml->_thread;
        auto* const inst = static_cast<km_Instance*>(ml->instance);

        #pragma omp simd
        #pragma ivdep
        for (int id = 0; id < nodecount; id++) {
            int node_id = node_index[id];
            double v = voltage[node_id];
            #if NRN_PRCELLSTATE
            inst->v_unused[id] = v;
            #endif
            inst->ek[id] = inst->ion_ek[indexes[0*pnodecount + id]];
            double g = nrn_current_km(id, pnodecount, inst, data, indexes, thread, nt, v+0.001);
            double dik = inst->ik[id];
            double rhs = nrn_current_km(id, pnodecount, inst, data, indexes, thread, nt, v);
            g = (g-rhs)/0.001;
            inst->ion_dikdv[indexes[2*pnodecount + id]] += (dik-inst->ik[id])/0.001;
            inst->ion_ik[indexes[1*pnodecount + id]] += inst->ik[id];
            #if NRN_PRCELLSTATE
            inst->g_unused[id] = g;
            #endif
            vec_rhs[node_id] -= rhs;
            vec_d[node_id] += g;
        }
    }


    /** update state */
    void nrn_state_km(NrnThread* nt, Memb_list* ml, int type) {
        int nodecount = ml->nodecount;
        int pnodecount = ml->_nodecount_padded;
        const int* node_index = ml->nodeindices;
        double* data = ml->data;
        const double* voltage = nt->_actual_v;
        Datum* indexes = ml->pdata;
        ThreadDatum* thread = ml->_thread;
        auto* const inst = static_cast<km_Instance*>(ml->instance);

        #pragma omp simd
        #pragma ivdep
        for (int id = 0; id < nodecount; id++) {
            int node_id = node_index[id];
            double v = voltage[node_id];
            #if NRN_PRCELLSTATE
            inst->v_unused[id] = v;
            #endif
            inst->ek[id] = inst->ion_ek[indexes[0*pnodecount + id]];
            rates_km(id, pnodecount, inst, data, indexes, thread, nt, v, v);
            inst->n[id] = inst->n[id] + (1.0 - exp(nt->_dt * (((( -1.0))) / inst->ntau[id]))) * ( -(((inst->ninf[id])) / inst->ntau[id]) / (((( -1.0))) / inst->ntau[id]) - inst->n[id]);
        }
    }


    static void check_table_thread_km (int id, int pnodecount, double* data, Datum* indexes, ThreadDatum* thread, NrnThread* nt, Memb_list* ml, int tml_id) {
        setup_instance(nt, ml);
        auto* const inst = static_cast<km_Instance*>(ml->instance);
        double v = 0;
        update_table_rates_km(id, pnodecount, inst, data, indexes, thread, nt, v);
    }


    /** register channel with the simulator */
    void _km_reg() {

        int mech_type = nrn_get_mechtype("km");
        km_global.mech_type = mech_type;
        if (mech_type == -1) {
            return;
        }

        _nrn_layout_reg(mech_type, 0);
        register_mech(mechanism_info, nrn_alloc_km, nrn_cur_km, nullptr, nrn_state_km, nrn_init_km, nrn_private_constructor_km, nrn_private_destructor_km, first_pointer_var_index(), 1);
        km_global.k_type = nrn_get_mechtype("k_ion");

        _nrn_thread_table_reg(mech_type, check_table_thread_km);
        hoc_register_prop_size(mech_type, float_variables_size(), int_variables_size());
        hoc_register_dparam_semantics(mech_type, 0, "k_ion");
        hoc_register_dparam_semantics(mech_type, 1, "k_ion");
        hoc_register_dparam_semantics(mech_type, 2, "k_ion");
        hoc_register_var(hoc_scalar_double, hoc_vector_double, NULL);
    }
}
